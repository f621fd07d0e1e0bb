#Requires -Version 7.0
<#
    Connect-ProfileGraph as a user drives it: -AccessToken against the sandbox, the context it writes
    (never the token), -Environment mapping, refusals (app-only token, plain http to a remote host),
    the parameter sets, aliases and tab completion.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $script:upn = 'adele.vance@contoso.com'
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Connect-ProfileGraph -AccessToken (AccessToken set)' {
    AfterEach { Disconnect-ProfileGraph }

    It 'connects to the sandbox and writes the context, not the token' {
        $token = Get-TestToken -Sandbox $script:sandbox -User $script:upn -Scopes 'User.ReadWrite.All'
        $secure = ConvertTo-SecureString $token -AsPlainText -Force

        $output = @(Connect-ProfileGraph -AccessToken $secure -GraphEndpoint $script:sandbox.BaseUri)

        $output.Count | Should -Be 1
        $context = $output[0]
        $context | Should -BeOfType ([ProfilePositions.ProfileGraphContext])
        $context.Account | Should -Be $script:upn
        $context.Scopes | Should -Contain 'User.ReadWrite.All'
        "$($context.GraphEndpoint)".TrimEnd('/') | Should -Be $script:sandbox.BaseUri
        $context.TokenCredentialType | Should -Be 'UserProvidedAccessToken'
        $context.TokenExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
        ($context | ConvertTo-Json -Depth 5) | Should -Not -Match ([regex]::Escape($token))
        ($context | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($token))
    }

    It 'accepts Connect-MgGraph''s -NoWelcome: the same context, nothing else written, in both sets' {
        $token = Get-TestToken -Sandbox $script:sandbox -User $script:upn -Scopes 'User.ReadWrite.All'
        $secure = ConvertTo-SecureString $token -AsPlainText -Force

        $all = @(Connect-ProfileGraph -AccessToken $secure -GraphEndpoint $script:sandbox.BaseUri -NoWelcome *>&1)

        $all.Count | Should -Be 1 -Because 'no welcome message or anything else is written'
        $all[0] | Should -BeOfType ([ProfilePositions.ProfileGraphContext])
        $all[0].Account | Should -Be $script:upn
        (Get-Command Connect-ProfileGraph).ParameterSets | ForEach-Object { $_.Parameters.Name | Should -Contain 'NoWelcome' }
    }

    It 'is used by the position cmdlets: the sandbox sees the signed-in user' {
        $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:upn
        Clear-SandboxJournal -Sandbox $script:sandbox

        $null = Get-ProfilePosition

        $request = (Get-GraphRequest -Sandbox $script:sandbox)[0]
        $request.status | Should -Be 200
        $request.path | Should -Be '/beta/me/profile/positions'
    }

    It 'refuses an app-only token and says why' {
        $token = Get-TestToken -Sandbox $script:sandbox -User $script:upn -App
        $secure = ConvertTo-SecureString $token -AsPlainText -Force

        { Connect-ProfileGraph -AccessToken $secure -GraphEndpoint $script:sandbox.BaseUri } |
            Should -Throw -ErrorId '*,ProfilePositions.Commands.ConnectProfileGraphCommand' -ExpectedMessage '*app*'
        Get-ProfileGraphContext | Should -BeNullOrEmpty
    }

    It 'refuses plain http to a host that is not loopback' {
        $token = Get-TestToken -Sandbox $script:sandbox -User $script:upn
        $secure = ConvertTo-SecureString $token -AsPlainText -Force

        { Connect-ProfileGraph -AccessToken $secure -GraphEndpoint 'http://graph.example.com' } |
            Should -Throw -ErrorId '*,ProfilePositions.Commands.ConnectProfileGraphCommand' -ExpectedMessage '*http*'
        Get-ProfileGraphContext | Should -BeNullOrEmpty
    }

    It 'maps -Environment <Environment> to its Graph host' -ForEach @(
        @{ Environment = 'Global'; GraphHost = 'graph.microsoft.com' }
        @{ Environment = 'USGov'; GraphHost = 'graph.microsoft.us' }
        @{ Environment = 'USGovDoD'; GraphHost = 'dod-graph.microsoft.us' }
        @{ Environment = 'China'; GraphHost = 'microsoftgraph.chinacloudapi.cn' }
    ) {
        $token = Get-TestToken -Sandbox $script:sandbox -User $script:upn
        $secure = ConvertTo-SecureString $token -AsPlainText -Force

        $context = Connect-ProfileGraph -AccessToken $secure -Environment $Environment

        $context.Environment | Should -Be $Environment
        ([uri]$context.GraphEndpoint).Host | Should -Be $GraphHost
    }

    It 'refuses -ContextScope CurrentUser with -AccessToken, saying why and what to use instead' {
        $token = Get-TestToken -Sandbox $script:sandbox -User $script:upn
        $secure = ConvertTo-SecureString $token -AsPlainText -Force
        Clear-SandboxJournal -Sandbox $script:sandbox
        $failure = $null

        try { Connect-ProfileGraph -AccessToken $secure -GraphEndpoint $script:sandbox.BaseUri -ContextScope CurrentUser }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -Be 'ContextScopeWithAccessToken,ProfilePositions.Commands.ConnectProfileGraphCommand'
        $failure.Exception.Message | Should -BeLike '-ContextScope CurrentUser cannot be used with -AccessToken: *a token you pass in is not a sign-in the module can keep or renew*-ContextScope Process*-UseDeviceCode*-AccessTokenProvider*'
        $failure.Exception.Message | Should -Not -Match ([regex]::Escape($token))
        Get-ProfileGraphContext | Should -BeNullOrEmpty
        Get-SandboxJournal -Sandbox $script:sandbox | Should -BeNullOrEmpty
        # -ContextScope Process, said or not, is the one scope a token has.
        (Connect-ProfileGraph -AccessToken $secure -GraphEndpoint $script:sandbox.BaseUri -ContextScope Process).ContextScope | Should -Be 'Process'
    }

    It 'requires -AccessToken in its set and takes no interactive parameters with it' {
        { Connect-ProfileGraph -AccessToken (ConvertTo-SecureString 'x' -AsPlainText -Force) -UseDeviceCode } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,ProfilePositions.Commands.ConnectProfileGraphCommand'
        { Connect-ProfileGraph -AccessToken (ConvertTo-SecureString 'x' -AsPlainText -Force) -AllowUnencryptedTokenCache } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,ProfilePositions.Commands.ConnectProfileGraphCommand'
    }
}

Describe 'Connect-ProfileGraph parameters' {
    BeforeAll { $script:command = Get-Command Connect-ProfileGraph }

    It 'has the Interactive set by default, the AccessToken set and the AccessTokenProvider set' {
        $script:command.DefaultParameterSet | Should -Be 'Interactive'
        @($script:command.ParameterSets.Name | Sort-Object) | Should -Be @('AccessToken', 'AccessTokenProvider', 'Interactive')
        $script:command.Parameters['AccessTokenProvider'].ParameterType | Should -Be ([scriptblock])
        $script:command.Parameters['AccessTokenProvider'].ParameterSets['AccessTokenProvider'].IsMandatory | Should -BeTrue
    }

    It '-UseDeviceCode has the aliases UseDeviceAuthentication and DeviceCode' {
        @($script:command.Parameters['UseDeviceCode'].Aliases | Sort-Object) | Should -Be @('DeviceCode', 'UseDeviceAuthentication')
        $script:command.Parameters['UseDeviceCode'].SwitchParameter | Should -BeTrue
    }

    It '-AccessToken is a SecureString' {
        $script:command.Parameters['AccessToken'].ParameterType | Should -Be ([securestring])
    }

    It '-Environment rejects an unknown cloud' {
        { Connect-ProfileGraph -Environment 'Moon' -AccessToken (ConvertTo-SecureString 'x' -AsPlainText -Force) } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,ProfilePositions.Commands.ConnectProfileGraphCommand'
    }

    It 'completes -Environment values' {
        $line = 'Connect-ProfileGraph -Environment US'
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText

        @($completions | Sort-Object) | Should -Be @('USGov', 'USGovDoD')
    }
}
