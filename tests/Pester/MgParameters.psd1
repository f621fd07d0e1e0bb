# Every parameter of Microsoft's cmdlets that ProfilePositions mirrors, but the CommonParameters, as the current docs
# list them: the PlatyPS YAML of MicrosoftDocs/microsoftgraph-docs-powershell @ 000701007bf4114226ce3c7ece8b24a744b319be
# (ms.date 01/30/2026), files microsoftgraph/graph-powershell-beta/Microsoft.Graph.Beta.People/<Cmdlet>.md and
# microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Authentication/Connect-MgGraph.md.
# MgMigration.Tests.ps1 checks that the README's migration tables have a row for each, and that a row saying "same"
# (or "renamed: -X") names a parameter the module's cmdlet really has.
@{
    Cmdlets = @{
        'New-MgBetaUserProfilePosition'    = @{
            Module     = 'New-ProfilePosition'
            Parameters = @(
                'AdditionalProperties', 'AllowedAudiences', 'BodyParameter', 'Break', 'Categories', 'Colleagues', 'Confirm',
                'CreatedBy', 'CreatedDateTime', 'Detail', 'Headers', 'HttpPipelineAppend', 'HttpPipelinePrepend', 'Id',
                'Inference', 'InputObject', 'IsCurrent', 'IsSearchable', 'LastModifiedBy', 'LastModifiedDateTime', 'Manager',
                'Proxy', 'ProxyCredential', 'ProxyUseDefaultCredentials', 'ResponseHeadersVariable', 'Source', 'Sources',
                'UserId', 'WhatIf'
            )
        }
        'Get-MgBetaUserProfilePosition'    = @{
            Module     = 'Get-ProfilePosition'
            Parameters = @(
                'All', 'Break', 'CountVariable', 'ExpandProperty', 'Filter', 'Headers', 'HttpPipelineAppend', 'HttpPipelinePrepend',
                'InputObject', 'PageSize', 'Property', 'Proxy', 'ProxyCredential', 'ProxyUseDefaultCredentials',
                'ResponseHeadersVariable', 'Search', 'Skip', 'Sort', 'Top', 'UserId', 'WorkPositionId'
            )
        }
        'Update-MgBetaUserProfilePosition' = @{
            Module     = 'Update-ProfilePosition'
            Parameters = @(
                'AdditionalProperties', 'AllowedAudiences', 'BodyParameter', 'Break', 'Categories', 'Colleagues', 'Confirm',
                'CreatedBy', 'CreatedDateTime', 'Detail', 'Headers', 'HttpPipelineAppend', 'HttpPipelinePrepend', 'Id',
                'Inference', 'InputObject', 'IsCurrent', 'IsSearchable', 'LastModifiedBy', 'LastModifiedDateTime', 'Manager',
                'Proxy', 'ProxyCredential', 'ProxyUseDefaultCredentials', 'ResponseHeadersVariable', 'Source', 'Sources',
                'UserId', 'WhatIf', 'WorkPositionId'
            )
        }
        'Remove-MgBetaUserProfilePosition' = @{
            Module     = 'Remove-ProfilePosition'
            Parameters = @(
                'Break', 'Confirm', 'Headers', 'HttpPipelineAppend', 'HttpPipelinePrepend', 'IfMatch', 'InputObject', 'PassThru',
                'Proxy', 'ProxyCredential', 'ProxyUseDefaultCredentials', 'ResponseHeadersVariable', 'UserId', 'WhatIf',
                'WorkPositionId'
            )
        }
        'Connect-MgGraph'                  = @{
            Module     = 'Connect-ProfileGraph'
            Parameters = @(
                'AccessToken', 'Break', 'Certificate', 'CertificateSubjectName', 'CertificateThumbprint', 'ClientId',
                'ClientSecretCredential', 'ClientTimeout', 'ContextScope', 'Environment', 'EnvironmentVariable', 'Identity',
                'NoWelcome', 'Scopes', 'SendCertificateChain', 'TenantId', 'UseDeviceCode'
            )
        }
    }
}
