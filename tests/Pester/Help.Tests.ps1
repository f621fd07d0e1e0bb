#Requires -Version 7.0
<#
    The help a user reads with Get-Help, checked against the commands themselves (Get-Command), the cmdlets and the
    testing helpers (functions) alike:
    - every parameter of every exported command is in Get-Help, with its type, aliases, pipeline input and
      parameter sets; Get-Help documents no parameter the cmdlet lacks;
    - every cmdlet has a synopsis, a description and at least two examples;
    - every example is run against the local sandbox and must not write an error; an example that calls a
      position cmdlet must reach the sandbox (its journal), one that only uses -WhatIf must send no write;
    - the README's Pester Mock example passes as written.

    Examples that need a person at a browser or Entra ID (Connect-ProfileGraph without -AccessToken: interactive or
    device code sign-in, a token provider for login.microsoftonline.com; a provider with -GraphEndpoint runs) cannot
    run unattended. For those the test does what it can honestly do: it parses the example,
    binds each command statically ([StaticParameterBinder]) and checks that the bound parameters resolve to one
    of the cmdlet's parameter sets (Get-Command), so a renamed or misspelt parameter still fails. The test
    name says "binding check only" for these.

    Variables the examples may use, set before each example: $userId (a demo user's UPN, also the signed-in
    user), $workPositionId (a position of that user), $sandboxUri (the sandbox root), $sandbox (the sandbox, as
    Start-ProfileGraphSandbox returned it) and $accessToken (a SecureString token for $userId with User.ReadWrite.All).
    An example that starts a sandbox of its own (Start-ProfileGraphSandbox's) stops it too.
#>

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $commands = @(Get-Command -Module ProfilePositions -CommandType Cmdlet, Function | Sort-Object Name)
    $commandCases = @($commands | ForEach-Object { @{ Name = $_.Name } })
    $exampleCases = @(
        foreach ($command in $commands) {
            $number = 0
            foreach ($example in @((Get-Help $command.Name -Full).examples.example)) {
                if ($null -eq $example) { continue }
                $number++
                $code = [string] $example.code
                # Same rule as Test-HumanExample below: Connect-ProfileGraph without -AccessToken needs a person (or Entra ID).
                $connects = [Management.Automation.Language.Parser]::ParseInput($code, [ref] $null, [ref] $null).FindAll({
                        param($node) $node -is [Management.Automation.Language.CommandAst] -and $node.GetCommandName() -eq 'Connect-ProfileGraph' }, $true)
                $human = [bool] ($connects | Where-Object {
                        $names = @($_.CommandElements | Where-Object { $_ -is [Management.Automation.Language.CommandParameterAst] } | ForEach-Object ParameterName)
                        $names -notcontains 'AccessToken' -and -not ($names -contains 'AccessTokenProvider' -and $names -contains 'GraphEndpoint') })
                $mode = if ($human) { 'binding check only: needs a person at a browser or Entra ID' } else { 'runs against the sandbox' }
                @{ Command = $command.Name; Number = $number; Title = ($example.title -replace '^[-\s]+|[-\s]+$', ''); Code = $code; Mode = $mode }
            }
        })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule

    $script:CommonParameterNames = [Management.Automation.PSCmdlet]::CommonParameters

    function Get-TypeDisplayName([type] $Type) {
        # Help writes types the way platyPS does: short names, Nullable<T> as T, arrays with [].
        $underlying = [Nullable]::GetUnderlyingType($Type)
        if ($underlying) { $Type = $underlying }
        $Type.Name
    }

    function Test-DontShow($Parameter) {
        [bool] ($Parameter.Attributes | Where-Object { $_ -is [Management.Automation.ParameterAttribute] -and $_.DontShow })
    }

    function Test-HumanExample([string] $Code) {
        # True when the example signs in interactively (a person at a browser) or needs Entra ID: Connect-ProfileGraph
        # without -AccessToken, and not -AccessTokenProvider with -GraphEndpoint.
        $ast = [Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $null)
        $connects = $ast.FindAll({ param($node) $node -is [Management.Automation.Language.CommandAst] -and $node.GetCommandName() -eq 'Connect-ProfileGraph' }, $true)
        foreach ($connect in $connects) {
            $names = $connect.CommandElements | Where-Object { $_ -is [Management.Automation.Language.CommandParameterAst] } | ForEach-Object ParameterName
            # A token provider pointed at an endpoint (the sandbox) runs unattended; one for Entra ID cannot run here.
            if ($names -notcontains 'AccessToken' -and -not ($names -contains 'AccessTokenProvider' -and $names -contains 'GraphEndpoint')) { return $true }
        }
        $false
    }
}

Describe 'Help of <Name>' -ForEach $commandCases {
    BeforeAll {
        $command = Get-Command $Name
        $help = Get-Help $Name -Full
        $documented = @{}
        foreach ($parameter in @($help.parameters.parameter)) {
            if ($parameter) { $documented[$parameter.name] = $parameter }
        }
        # Parameters marked DontShow (the hidden pipeline parameter) are not part of the help, as Get-Help hides them too.
        $ownParameters = @($command.Parameters.Values | Where-Object { $_.Name -notin $script:CommonParameterNames -and -not (Test-DontShow $_) })
    }

    It 'comes from the MAML file (ProfilePositions.dll-Help.xml)' {
        $command.HelpFile | Should -BeLike '*ProfilePositions.dll-Help.xml'
        Test-Path (Join-Path (Split-Path (Get-Module ProfilePositions).Path) "en-US/$(Split-Path $command.HelpFile -Leaf)") | Should -BeTrue
    }

    It 'has a synopsis' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without MAML, Get-Help makes the synopsis from the syntax; a real one does not start with the command name.
        $help.Synopsis | Should -Not -BeLike "$Name *"
    }

    It 'has a description' {
        ($help.description.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and remarks' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Not -BeNullOrEmpty
            ($example.remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'documents every parameter of the cmdlet' {
        $missing = @($ownParameters | ForEach-Object Name | Where-Object { -not $documented.ContainsKey($_) })
        $missing | Should -BeNullOrEmpty -Because "Get-Help $Name must document every parameter"
    }

    It 'documents no parameter the cmdlet lacks' {
        $extra = @($documented.Keys | Where-Object { -not $command.Parameters.ContainsKey($_) })
        $extra | Should -BeNullOrEmpty
    }

    It 'gives every parameter a description, its type, its aliases and its pipeline input' {
        foreach ($parameter in $ownParameters) {
            $entry = $documented[$parameter.Name]
            if (-not $entry) { continue }   # reported by 'documents every parameter'
            ($entry.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$($parameter.Name) needs a description"
            $entry.type.name | Should -Be (Get-TypeDisplayName $parameter.ParameterType) -Because "-$($parameter.Name) has type $($parameter.ParameterType)"
            foreach ($alias in $parameter.Aliases) {
                ($entry.aliases -split ',\s*') | Should -Contain $alias -Because "-$($parameter.Name) has alias $alias"
            }
            $byValue = [bool] ($parameter.Attributes | Where-Object { $_ -is [Management.Automation.ParameterAttribute] -and $_.ValueFromPipeline })
            $byName = [bool] ($parameter.Attributes | Where-Object { $_ -is [Management.Automation.ParameterAttribute] -and $_.ValueFromPipelineByPropertyName })
            ($entry.pipelineInput -match 'ByValue') | Should -Be $byValue -Because "-$($parameter.Name) pipeline input by value"
            ($entry.pipelineInput -match 'ByPropertyName') | Should -Be $byName -Because "-$($parameter.Name) pipeline input by property name"
        }
    }

    It 'has one syntax block per parameter set, with the same parameters and the same mandatory ones' {
        $syntaxItems = @($help.syntax.syntaxItem)
        $syntaxItems.Count | Should -Be $command.ParameterSets.Count
        foreach ($set in $command.ParameterSets) {
            $expected = @($set.Parameters | Where-Object { $_.Name -notin $script:CommonParameterNames -and -not (Test-DontShow $command.Parameters[$_.Name]) } | ForEach-Object Name | Sort-Object)
            $match = $syntaxItems | Where-Object {
                $names = @($_.parameter | Where-Object { $_ } | ForEach-Object name | Sort-Object)
                ($names -join ',') -eq ($expected -join ',')
            } | Select-Object -First 1
            $match | Should -Not -BeNullOrEmpty -Because "parameter set '$($set.Name)' has $($expected -join ', ')"
            foreach ($parameter in $set.Parameters | Where-Object { $_.Name -notin $script:CommonParameterNames -and -not (Test-DontShow $command.Parameters[$_.Name]) }) {
                $entry = $match.parameter | Where-Object name -EQ $parameter.Name
                ($entry.required -eq 'true') | Should -Be $parameter.IsMandatory -Because "-$($parameter.Name) in set '$($set.Name)'"
            }
        }
    }

    It 'shows the parameter help with Get-Help -Parameter' {
        foreach ($parameter in $ownParameters) {
            $one = Get-Help $Name -Parameter $parameter.Name
            $one.name | Should -Be $parameter.Name
        }
    }
}

Describe 'about_ProfilePositions' {
    It 'is found by Get-Help and describes the module' {
        $about = Get-Help about_ProfilePositions
        ($about | Out-String) | Should -Match 'SHORT DESCRIPTION'
        ($about | Out-String) | Should -Match 'Connect-ProfileGraph'
    }
}

Describe 'Help examples run against the sandbox' {
    BeforeAll {
        $sandbox = $null
        $sandbox = Start-TestSandbox
        $sandboxUri = $sandbox.BaseUri
        # A demo user with a plain UPN; the other UPN forms are covered by the cmdlet suites.
        $userId = (Get-SandboxUsers -Sandbox $sandbox | Where-Object { $_.userPrincipalName -match '^[a-z.]+@contoso\.com$' } | Select-Object -First 1).userPrincipalName
        $userId | Should -Not -BeNullOrEmpty
        Push-Location $TestDrive
    }

    AfterAll {
        # The sandbox is stopped whatever else fails here, so no process outlives the run.
        try {
            if ((Get-Location).Path -eq $TestDrive) { Pop-Location }
            if (Get-ProfileGraphContext) { Disconnect-ProfileGraph }
        }
        finally {
            Stop-TestSandbox -Sandbox $sandbox
        }
    }

    BeforeEach {
        Reset-Sandbox -Sandbox $sandbox
        $accessToken = ConvertTo-SecureString -String (Get-TestToken -Sandbox $sandbox -User $userId -Scopes 'User.ReadWrite.All') -AsPlainText -Force
        $null = Connect-ProfileGraph -AccessToken $accessToken -GraphEndpoint $sandboxUri
        $workPositionId = (New-ProfilePosition -UserId $userId -JobTitle 'Consultant' -CompanyName 'Contoso' -StartMonthYear '2020-01' -ErrorAction Stop).Id
        $workPositionId | Should -Not -BeNullOrEmpty
        Clear-SandboxJournal -Sandbox $sandbox
    }

    It '<Command>: <Title> (<Mode>)' -ForEach $exampleCases {
        if (Test-HumanExample $Code) {
            # Binding check only: this example needs a person at a browser (see the top of this file).
            $parseErrors = $null
            $ast = [Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $parseErrors)
            $parseErrors | Should -BeNullOrEmpty
            $moduleCommands = @($ast.FindAll({ param($node) $node -is [Management.Automation.Language.CommandAst] }, $true) |
                    Where-Object { (Get-Command $_.GetCommandName() -ErrorAction SilentlyContinue).ModuleName -eq 'ProfilePositions' })
            $moduleCommands.Count | Should -BeGreaterThan 0
            foreach ($commandAst in $moduleCommands) {
                $binding = [Management.Automation.Language.StaticParameterBinder]::BindCommand($commandAst, $true)
                $binding.BindingExceptions.Keys | Should -BeNullOrEmpty -Because "'$($commandAst.Extent.Text)' must bind"
                $bound = @($binding.BoundParameters.Keys)
                $info = Get-Command $commandAst.GetCommandName()
                $sets = @($info.ParameterSets | Where-Object {
                        $names = @($_.Parameters.Name)
                        $mandatory = @($_.Parameters | Where-Object IsMandatory | ForEach-Object Name)
                        -not ($bound | Where-Object { $_ -notin $names }) -and -not ($mandatory | Where-Object { $_ -notin $bound })
                    })
                $sets.Count | Should -BeGreaterThan 0 -Because "'$($commandAst.Extent.Text)' must resolve to a parameter set"
            }
            return
        }

        # Any error, terminating or not, fails the example; the output goes through the formatter as a user sees it.
        $example = [scriptblock]::Create($Code)
        {
            $ErrorActionPreference = 'Stop'
            $null = . $example | Out-String
        } | Should -Not -Throw

        # An example that calls a position cmdlet for real must reach the sandbox; one that only uses -WhatIf must not write.
        $ast = [Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $null)
        $positionCalls = @($ast.FindAll({ param($node) $node -is [Management.Automation.Language.CommandAst] -and $node.GetCommandName() -like '*-ProfilePosition' }, $true))
        $journal = @(Get-SandboxJournal -Sandbox $sandbox | Where-Object { $_.path -match '(^|/)beta/' })
        if ($positionCalls) {
            $whatIfOnly = -not ($positionCalls | Where-Object { -not ($_.CommandElements | Where-Object { $_ -is [Management.Automation.Language.CommandParameterAst] -and $_.ParameterName -eq 'WhatIf' }) })
            if ($whatIfOnly) {
                @($journal | Where-Object method -In 'POST', 'PATCH', 'DELETE') | Should -BeNullOrEmpty -Because '-WhatIf sends no write'
            }
            else {
                $journal.Count | Should -BeGreaterThan 0 -Because 'the example talks to Graph'
            }
        }
    }
}

Describe 'README: the Pester Mock example' {
    # The README shows how to unit-test a script with Pester Mock; this runs that exact text.
    BeforeAll {
        $readme = Get-Content (Join-Path $PSScriptRoot '../../README.md') -Raw
        $section = ($readme -split '### With Pester `Mock`')[1]
        $blocks = [regex]::Matches($section, '```powershell\r?\n(.*?)```', 'Singleline') | ForEach-Object { $_.Groups[1].Value }
        $scriptUnderTest = $blocks[0]
        $testFile = $blocks[1]
        Set-Content -Path (Join-Path $TestDrive 'Set-CurrentPosition.ps1') -Value $scriptUnderTest
        $ast = [Management.Automation.Language.Parser]::ParseInput($testFile, [ref] $null, [ref] $null)
        $it = $ast.Find({ param($node) $node -is [Management.Automation.Language.CommandAst] -and $node.GetCommandName() -eq 'It' }, $true)
        $itBody = $it.CommandElements | Where-Object { $_ -is [Management.Automation.Language.ScriptBlockExpressionAst] } | Select-Object -First 1
        $body = $itBody.ScriptBlock.EndBlock.Extent.Text
    }

    It 'has the script and its test' {
        $scriptUnderTest | Should -Match 'New-ProfilePosition'
        $body | Should -Match 'Should -Invoke'
    }

    It 'passes as written' {
        Push-Location $TestDrive
        try {
            . ([scriptblock]::Create($body))
        }
        finally {
            Pop-Location
        }
    }
}
