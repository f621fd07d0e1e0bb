#Requires -Version 7.0
<#
    A write goes out under the identity of the runspace that asked for it. Parallel runspaces (ForEach-Object
    -Parallel) signed in as different users, connect-once-then-parallel, -Connection $using:c, two sandboxes as two
    tenants, and the context object that must never reveal or carry its token out of the process. Every check
    reads the sandbox journal's "caller" (whose token sent the request) and "user" (whose profile it changed).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:modulePath = (Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1'
    $script:sandbox = Start-TestSandbox
    $script:other = Start-TestSandbox
    $script:upns = @(Get-SandboxUsers -Sandbox $script:sandbox | ForEach-Object userPrincipalName | Where-Object { $_ -match '^[a-z.]+@contoso\.com$' } | Sort-Object)
    $script:tokens = @{}
    foreach ($upn in $script:upns) {
        $script:tokens[$upn] = Get-TestToken -Sandbox $script:sandbox -User $upn -Scopes 'User.ReadWrite.All'
    }

    function Get-Writes($Sandbox) {
        @(Get-GraphRequest -Sandbox $Sandbox | Where-Object method -In 'POST', 'PATCH', 'DELETE')
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
    Stop-TestSandbox -Sandbox $script:other
}

Describe 'ForEach-Object -Parallel with a connection per runspace' {
    BeforeEach {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'two runspaces signed in as different users each write as themselves, into their own profile' {
        $pair = $script:upns[0..1]
        $tokens = $script:tokens; $module = $script:modulePath; $uri = $script:sandbox.BaseUri

        $created = @($pair | ForEach-Object -ThrottleLimit 2 -Parallel {
                Import-Module $using:module
                $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString ($using:tokens)[$_] -AsPlainText -Force) -GraphEndpoint $using:uri
                # Both runspaces connect before either writes, so a process-wide connection would be seen by both.
                Start-Sleep -Milliseconds 500
                New-ProfilePosition -JobTitle "by $_"
            })

        $created.Count | Should -Be 2
        $writes = Get-Writes $script:sandbox
        $writes.Count | Should -Be 2
        foreach ($write in $writes) {
            $write.path | Should -Be '/beta/me/profile/positions'
            $write.user | Should -Be $write.caller
            (Get-RequestJson $write).detail.jobTitle | Should -Be "by $($write.caller)"
        }
        @($writes.caller | Sort-Object) | Should -Be @($pair | Sort-Object)
    }

    It 'four runspaces, more items than -ThrottleLimit: each iteration that connects writes as its own user' {
        $items = @($script:upns[0..3]) + @($script:upns[0..3])
        $tokens = $script:tokens; $module = $script:modulePath; $uri = $script:sandbox.BaseUri

        $created = @($items | ForEach-Object -ThrottleLimit 4 -Parallel {
                Import-Module $using:module
                $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString ($using:tokens)[$_] -AsPlainText -Force) -GraphEndpoint $using:uri
                New-ProfilePosition -UserId $_ -JobTitle "by $_"
            })

        $created.Count | Should -Be 8
        $writes = Get-Writes $script:sandbox
        $writes.Count | Should -Be 8
        foreach ($write in $writes) {
            $write.caller | Should -Be $write.user
            (Get-RequestJson $write).detail.jobTitle | Should -Be "by $($write.caller)"
        }
    }

    It 'a runspace that reuses an earlier iteration''s runspace sees that iteration''s connection until it connects itself' {
        $tokens = $script:tokens; $module = $script:modulePath; $uri = $script:sandbox.BaseUri
        $first = $script:upns[0]

        # One runspace, reused: the first iteration connects, the second does not.
        $seen = @(1, 2 | ForEach-Object -ThrottleLimit 1 -Parallel {
                Import-Module $using:module
                if ($_ -eq 1) { $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString ($using:tokens)[$using:first] -AsPlainText -Force) -GraphEndpoint $using:uri }
                (Get-ProfileGraphContext).Account
            })

        $seen | Should -Be @($first, $first)
    }

    It 'a parallel runspace''s connection stops being the process default when its runspace is closed' {
        $tokens = $script:tokens; $module = $script:modulePath; $uri = $script:sandbox.BaseUri; $user = $script:upns[1]
        $inside = 1 | ForEach-Object -Parallel {
            Import-Module $using:module
            $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString ($using:tokens)[$using:user] -AsPlainText -Force) -GraphEndpoint $using:uri
            (Get-ProfileGraphContext).Account
        }
        $inside | Should -Be $user
        { Get-ProfilePosition -ErrorAction Stop } | Should -Throw -ErrorId 'NotConnected,*' -Because 'the runspace that connected is closed, so its connection is nobody''s default'
        $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:tokens[$script:upns[0]] -AsPlainText -Force) -GraphEndpoint $uri
        (1 | ForEach-Object -Parallel { Import-Module $using:module; (Get-ProfileGraphContext).Account }) | Should -Be $script:upns[0]
    }

    It 'connect once, then parallel: runspaces without a connection use the process default and say so' {
        $admin = $script:upns[0]
        $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:tokens[$admin] -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri
        $module = $script:modulePath

        $results = @($script:upns[1..3] | ForEach-Object -ThrottleLimit 3 -Parallel {
                Import-Module $using:module
                $all = @(New-ProfilePosition -UserId $_ -JobTitle "for $_" -Verbose 4>&1)
                "$(@($all | Where-Object { $_ -is [Management.Automation.VerboseRecord] })[0])"
            })

        $results | ForEach-Object { $_ | Should -BeLike "This runspace has not run Connect-ProfileGraph; using the process's default connection: $admin at *" }
        $writes = Get-Writes $script:sandbox
        $writes.Count | Should -Be 3
        $writes | ForEach-Object { $_.caller | Should -Be $admin }
        @($writes.user | Sort-Object) | Should -Be @($script:upns[1..3] | Sort-Object)
    }

    It '-Connection $using:c writes as that connection whatever the runspace''s own' {
        $megan = $script:upns | Where-Object { $_ -like 'megan*' }
        $lee = $script:upns | Where-Object { $_ -like 'lee*' }
        $c = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:tokens[$megan] -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri
        $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:tokens[$lee] -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri
        $module = $script:modulePath

        $null = 1..3 | ForEach-Object -ThrottleLimit 3 -Parallel {
            Import-Module $using:module
            New-ProfilePosition -Connection $using:c -JobTitle "with c $_"
        }
        $null = New-ProfilePosition -JobTitle 'own connection'

        $writes = Get-Writes $script:sandbox
        @($writes | Where-Object { (Get-RequestJson $_).detail.jobTitle -like 'with c *' } | ForEach-Object caller | Sort-Object -Unique) | Should -Be @($megan)
        @($writes | Where-Object { (Get-RequestJson $_).detail.jobTitle -eq 'own connection' }).caller | Should -Be $lee
        (Get-ProfileGraphContext).Account | Should -Be $lee
        (Get-ProfileGraphContext -Connection $c).Account | Should -Be $megan
    }

    It 'two sandboxes as two tenants: each runspace''s writes reach only its own endpoint' {
        Clear-SandboxJournal -Sandbox $script:other
        $otherToken = Get-TestToken -Sandbox $script:other -User $script:upns[1] -Scopes 'User.ReadWrite.All'
        $plan = @(
            @{ Token = $script:tokens[$script:upns[0]]; Uri = $script:sandbox.BaseUri; Title = 'tenant one' }
            @{ Token = $otherToken; Uri = $script:other.BaseUri; Title = 'tenant two' }
        )
        $module = $script:modulePath

        $null = $plan | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:module
            $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $_.Token -AsPlainText -Force) -GraphEndpoint $_.Uri
            Start-Sleep -Milliseconds 300
            $title = $_.Title
            1..3 | ForEach-Object { New-ProfilePosition -JobTitle $title }
        }

        $one = Get-Writes $script:sandbox
        $two = Get-Writes $script:other
        $one.Count | Should -Be 3
        $two.Count | Should -Be 3
        $one | ForEach-Object { (Get-RequestJson $_).detail.jobTitle | Should -Be 'tenant one'; $_.caller | Should -Be $script:upns[0] }
        $two | ForEach-Object { (Get-RequestJson $_).detail.jobTitle | Should -Be 'tenant two'; $_.caller | Should -Be $script:upns[1] }
    }

    It 'Disconnect-ProfileGraph in one runspace forgets only that runspace''s connection' {
        $admin = $script:upns[0]
        $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:tokens[$admin] -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri
        $tokens = $script:tokens; $module = $script:modulePath; $uri = $script:sandbox.BaseUri; $second = $script:upns[1]

        $inside = 1 | ForEach-Object -Parallel {
            Import-Module $using:module
            $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString ($using:tokens)[$using:second] -AsPlainText -Force) -GraphEndpoint $using:uri
            Disconnect-ProfileGraph
            (Get-ProfileGraphContext).Account
        }

        $inside | Should -Be $admin -Because 'after forgetting its own, the runspace falls back to the process default'
        (Get-ProfileGraphContext).Account | Should -Be $admin
        { New-ProfilePosition -JobTitle 'still connected' -ErrorAction Stop } | Should -Not -Throw
    }
}

Describe 'The context object works as -Connection and never carries its token' {
    BeforeAll {
        $script:token = $script:tokens[$script:upns[0]]
        $script:context = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:token -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri
    }

    It 'shows no token in ToString, Format-List, ConvertTo-Json or Export-Clixml' {
        $path = Join-Path $TestDrive 'context.xml'
        $script:context | Export-Clixml -Path $path

        $texts = @("$($script:context)", ($script:context | Format-List * | Out-String), ($script:context | ConvertTo-Json -Depth 5), (Get-Content $path -Raw))

        foreach ($text in $texts) {
            $text | Should -Not -Match ([regex]::Escape($script:token))
            $text | Should -Not -Match ([regex]::Escape($script:token.Split('.')[2]))
        }
        "$($script:context)" | Should -BeLike "$($script:upns[0]) * at $($script:sandbox.BaseUri)*"
    }

    It 'refuses a deserialised copy (Import-Clixml) with an error that says what to do' {
        $path = Join-Path $TestDrive 'context.xml'
        $script:context | Export-Clixml -Path $path
        $copy = Import-Clixml -Path $path

        { Get-ProfilePosition -Connection $copy } | Should -Throw -ExpectedMessage '*cannot be used: a connection and its tokens never leave the process*Start-ThreadJob*'
    }

    It 'refuses a copy passed to Start-Job with the same clear error' {
        $job = Start-Job -ScriptBlock {
            param($Connection, $Module)
            Import-Module $Module
            try { Get-ProfilePosition -Connection $Connection -ErrorAction Stop } catch { "$_" }
        } -ArgumentList $script:context, $script:modulePath
        $said = $job | Wait-Job -Timeout 120 | Receive-Job
        $job | Remove-Job -Force

        "$said" | Should -BeLike '*was serialised (passed to Start-Job*'
        "$said" | Should -Not -Match ([regex]::Escape($script:token))
    }

    It 'refuses a context made by hand, and one that was disconnected' {
        $handMade = [ProfilePositions.ProfileGraphContext]::new()
        $spare = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:token -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri
        Disconnect-ProfileGraph -Connection $spare

        { Get-ProfilePosition -Connection $handMade } | Should -Throw -ExpectedMessage '*not a live connection*'
        { Get-ProfilePosition -Connection $spare } | Should -Throw -ErrorId 'NotConnected,ProfilePositions.Commands.GetProfilePositionCommand' -ExpectedMessage '*was disconnected*'
    }
}
