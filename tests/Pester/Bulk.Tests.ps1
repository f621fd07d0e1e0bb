#Requires -Version 7.0
<#
    Bulk as a user meets it. The same suite runs one request at a time (-BatchSize 1 -ThrottleLimit 1) and with the
    defaults ($batch envelopes of 20, 4 in flight): both must give the same output objects in input order, the same
    per-item errors, the same -WhatIf and -Confirm, the same -SkipExisting, and the same final state; the sandbox's
    journal shows how each was sent. Then what only bulk has: order kept for writes to one position, output that
    streams and a window that bounds it, the summary, progress, Ctrl+C, an unreachable endpoint, and the token never
    written into an envelope.
#>

BeforeDiscovery {
    $SettingCases = @(
        @{ Mode = 'one request at a time'; Settings = @{ BatchSize = 1; ThrottleLimit = 1 }; Batched = $false; Text = '-BatchSize 1 -ThrottleLimit 1' }
        @{ Mode = 'the defaults'; Settings = @{}; Batched = $true; Text = '' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    # Batch answers come back shuffled, as Graph may send them, and every request and item takes a few ms.
    $script:sandbox = Start-TestSandbox -ExtraArgs '--shuffle-batch', '--latency-ms', '2-12', '--seed', '7'
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:others = @(Get-SandboxUsers -Sandbox $script:sandbox | Where-Object { $_.id -ne $script:signedIn.id -and $_.userPrincipalName -notlike '*#EXT#*' } | Select-Object -First 2)
    $script:token = Get-TestToken -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    function New-Tag { 'Bulk ' + [guid]::NewGuid().ToString('n').Substring(0, 8) }

    function New-BulkRow([string] $Tag, [int] $Count) {
        # Rows over three users, as Import-Csv gives them.
        $owners = @($script:signedIn) + $script:others
        foreach ($number in 1..$Count) {
            [pscustomobject]@{ UserId = $owners[$number % $owners.Count].userPrincipalName; JobTitle = "$Tag row $number"; CompanyName = $Tag; StartMonthYear = '2021-03' }
        }
    }

    function Get-TaggedPosition([string] $Tag) {
        # Every position the sandbox holds, of any user, under the company name $Tag.
        $state = Get-SandboxState -Sandbox $script:sandbox
        $all = foreach ($property in $state.positions.PSObject.Properties) { $property.Value }
        @($all | Where-Object { $_.detail.company.displayName -eq $Tag })
    }

    function Get-Envelope {
        # The $batch envelopes the sandbox received.
        @(Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope | Where-Object { $_.path -like '*/$batch' })
    }

    function Get-RowTitle($Record) {
        # The job title of the row an output object or an error belongs to.
        if ($Record -is [Management.Automation.ErrorRecord]) { return $Record.TargetObject.JobTitle }
        $Record.Detail.JobTitle
    }

    function ConvertTo-ErrorShape($Record) {
        # What a user sees of an error, with the ids that differ from run to run taken out.
        [pscustomobject]@{
            Id       = $Record.FullyQualifiedErrorId
            Category = [string] $Record.CategoryInfo.Category
            Target   = $Record.TargetObject.JobTitle
            Message  = ($Record.ToString() -replace 'Bulk [0-9a-f]{8}', 'TAG' -replace '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', 'GUID')
        }
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Bulk, <Mode>' -ForEach $SettingCases {
    BeforeEach {
        Clear-SandboxFault -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'Import-Csv | New-ProfilePosition creates each row once and writes them in input order' {
        $tag = New-Tag
        $csv = Join-Path $TestDrive "$($tag -replace ' ', '-').csv"
        New-BulkRow $tag 45 | Export-Csv -Path $csv -NoTypeInformation

        $created = @(Import-Csv -Path $csv | New-ProfilePosition @Settings -SummaryVariable run -InformationVariable info)

        $created.Count | Should -Be 45
        $created.Detail.JobTitle | Should -Be @(1..45 | ForEach-Object { "$tag row $_" })
        $created.UserId | Should -Be @(Import-Csv -Path $csv).UserId
        $stored = Get-TaggedPosition $tag
        $stored.Count | Should -Be 45
        @($stored.id | Sort-Object -Unique).Count | Should -Be 45
        ($stored.id | Sort-Object) | Should -Be ($created.Id | Sort-Object)
        $run.Items | Should -Be 45
        $run.Created | Should -Be 45
        $run.Failed | Should -Be 0
        $run.Stopped | Should -BeFalse
        @($info | Where-Object { $_.Tags -contains 'Summary' }).MessageData | Should -Match '^New-ProfilePosition: 45 items; 45 created; \d+ requests'

        $posts = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        $posts.Count | Should -Be 45
        $envelopes = Get-Envelope
        if ($Batched) {
            # A create left alone when an envelope's short wait ends goes as a plain request; the rest go in envelopes.
            @($posts | Where-Object { $null -ne $_.batchId }).Count | Should -BeGreaterOrEqual 40
            $envelopes.Count | Should -BeGreaterOrEqual 3
            foreach ($envelope in $envelopes) {
                $requests = @((Get-RequestJson $envelope).requests)
                $requests.Count | Should -BeLessOrEqual 20
                @($requests.id | Sort-Object -Unique).Count | Should -Be $requests.Count
            }
            $run.Envelopes | Should -Be $envelopes.Count
        }
        else {
            $envelopes.Count | Should -Be 0
            @($posts | Where-Object { $null -ne $_.batchId }).Count | Should -Be 0
            $run.Requests | Should -Be 45
        }
    }

    It 'writes outputs and errors in the order of the rows, one outcome per row, the bad rows sending nothing' {
        $tag = New-Tag
        $rows = @(New-BulkRow $tag 12)
        $rows[2].StartMonthYear = 'not a date'
        $rows[5].UserId = 'nobody.here@contoso.com'
        $rows[9] | Add-Member -NotePropertyName AdditionalProperties -NotePropertyValue '{"madeUpMember":1}'

        $records = @($rows | New-ProfilePosition @Settings -SummaryVariable run -ErrorAction Continue 2>&1)

        $records.Count | Should -Be 12
        @($records | ForEach-Object { Get-RowTitle $_ }) | Should -Be @($rows.JobTitle)
        $errors = @($records | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
        $errors.Count | Should -Be 3
        # What PowerShell shows of an error names its row first.
        $errors[0].ToString() | Should -BeLike "Row 3 (user '*', job title '$tag row 3')*"
        $errors[1].ToString() | Should -BeLike "Row 6 (user 'nobody.here@contoso.com'*"
        $errors[2].ToString() | Should -BeLike 'Row 10 *'
        $errors[1].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        (Get-TaggedPosition $tag).Count | Should -Be 9
        $run.Created | Should -Be 9
        $run.Failed | Should -Be 3
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object { $_.method -eq 'POST' -and (Get-RequestJson $_).detail.jobTitle -eq "$tag row 3" }).Count | Should -Be 0 -Because 'a row refused before sending is not sent'
    }

    It '-WhatIf shows each row its own request and sends nothing' {
        $tag = New-Tag
        $transcript = Join-Path $TestDrive "whatif-$($tag -replace ' ', '-').txt"
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try { $output = @(New-BulkRow $tag 5 | New-ProfilePosition @Settings -WhatIf -SummaryVariable run) }
        finally { Stop-Transcript | Out-Null }

        $output.Count | Should -Be 0
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
        $text = Get-Content -Path $transcript -Raw
        foreach ($number in 1..5) {
            $text | Should -Match ('"jobTitle":\s*"' + [regex]::Escape("$tag row $number") + '"')
        }
        ([regex]::Matches($text, 'What if: Create a work position')).Count | Should -Be 5
        $text | Should -Not -Match '\$batch' -Because '-WhatIf shows the item, not the envelope'
        $run.NotSent | Should -Be 5
    }

    It '-Confirm asks for each row before it is sent: Yes, No, Yes creates the first and the third' {
        $tag = New-Tag
        $csv = Join-Path $TestDrive "confirm-$($tag -replace ' ', '-').csv"
        New-BulkRow $tag 3 | Export-Csv -Path $csv -NoTypeInformation

        $console = Invoke-ConsoleSession -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName -Lines "Import-Csv '$csv' | New-ProfilePosition -Confirm $Text | Out-Null", 'Y', 'N', 'Y'

        ([regex]::Matches($console, 'Create a work position for')).Count | Should -BeGreaterOrEqual 3
        # The console wraps at 80 columns, so the job title may be split across lines.
        $console | Should -Match (([regex]::Escape("$tag row 2")) -replace '\\ ', '\s+')
        ((Get-TaggedPosition $tag).detail.jobTitle | Sort-Object) | Should -Be @("$tag row 1", "$tag row 3")
    }

    It '-SkipExisting creates two identical rows once, and a re-run creates nothing' {
        $tag = New-Tag
        $row = [pscustomobject]@{ UserId = $script:signedIn.id; JobTitle = "$tag twin"; CompanyName = $tag }
        $first = @($row, $row, $row | New-ProfilePosition @Settings -SkipExisting -SummaryVariable run)

        $first.Count | Should -Be 3
        @($first.Id | Sort-Object -Unique).Count | Should -Be 1
        (Get-TaggedPosition $tag).Count | Should -Be 1
        $run.Created | Should -Be 1
        $run.Skipped | Should -Be 2

        Clear-SandboxJournal -Sandbox $script:sandbox
        $again = @($row, $row | New-ProfilePosition @Settings -SkipExisting)
        $again.Id | Should -Be @($first[0].Id, $first[0].Id)
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST').Count | Should -Be 0
    }

    It '-SkipExisting treats /me, the signed-in UPN and object id as one user' {
        $tag = New-Tag
        $rows = foreach ($user in 'me', $script:signedIn.userPrincipalName, $script:signedIn.id) {
            [pscustomobject]@{ UserId = $user; JobTitle = "$tag same"; CompanyName = $tag }
        }

        $output = @($rows | New-ProfilePosition @Settings -SkipExisting)

        @($output.Id | Sort-Object -Unique).Count | Should -Be 1
        (Get-TaggedPosition $tag).Count | Should -Be 1
    }

    It 'two updates of one position are sent one after the other, in input order' {
        $tag = New-Tag
        $target = New-SeedPosition -Sandbox $script:sandbox -OwnerId $script:signedIn.id -Body @{ detail = @{ jobTitle = "$tag start"; company = @{ displayName = $tag } } }
        $other = New-SeedPosition -Sandbox $script:sandbox -OwnerId $script:signedIn.id -Body @{ detail = @{ jobTitle = "$tag other"; company = @{ displayName = $tag } } }
        Clear-SandboxJournal -Sandbox $script:sandbox
        $rows = @(
            [pscustomobject]@{ UserId = $script:signedIn.id; Id = $target.id; JobTitle = "$tag first" }
            [pscustomobject]@{ UserId = $script:signedIn.id; Id = $other.id; JobTitle = "$tag other 2" }
            [pscustomobject]@{ UserId = $script:signedIn.id; Id = $target.id; JobTitle = "$tag second" }
        )

        $updated = @($rows | Update-ProfilePosition @Settings -SummaryVariable run)

        $updated.Detail.JobTitle | Should -Be @("$tag first", "$tag other 2", "$tag second")
        (Get-TaggedPosition $tag | Where-Object id -EQ $target.id).detail.jobTitle | Should -Be "$tag second"
        $patches = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object { $_.method -eq 'PATCH' -and $_.path -like "*$($target.id)" })
        $patches.Count | Should -Be 2
        (Get-RequestJson $patches[0]).detail.jobTitle | Should -Be "$tag first"
        (Get-RequestJson $patches[1]).detail.jobTitle | Should -Be "$tag second"
        if ($Batched) {
            $patches[0].batchId | Should -Not -Be $patches[1].batchId -Because 'the second waits for the first to end'
        }
        $run.Updated | Should -Be 3
    }

    It 'Get -All | Update then Get -All | Remove -PassThru touch every position once' {
        $tag = New-Tag
        $owner = $script:others[0]
        foreach ($number in 1..25) {
            $null = New-SeedPosition -Sandbox $script:sandbox -OwnerId $owner.id -Body @{ detail = @{ jobTitle = "$tag $number"; company = @{ displayName = $tag } } }
        }
        Clear-SandboxJournal -Sandbox $script:sandbox

        $updated = @(Get-ProfilePosition -UserId $owner.id -All | Where-Object { $_.Detail.Company.DisplayName -eq $tag } | Update-ProfilePosition @Settings -Department 'Bulk Dept' -SummaryVariable updates)
        $removed = @(Get-ProfilePosition -UserId $owner.id -All | Where-Object { $_.Detail.Company.DisplayName -eq $tag } | Remove-ProfilePosition @Settings -PassThru -SummaryVariable removals)

        $updated.Count | Should -Be 25
        @($updated.Detail.Company.Department | Sort-Object -Unique) | Should -Be 'Bulk Dept'
        $updates.Updated | Should -Be 25
        $removed.Count | Should -Be 25
        $removed | ForEach-Object { $_ | Should -BeTrue }
        $removals.Removed | Should -Be 25
        (Get-TaggedPosition $tag).Count | Should -Be 0
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'PATCH').Count | Should -Be 25
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'DELETE').Count | Should -Be 25
    }

    It 'Get-ProfilePosition over piped users writes each user''s positions in the order of the users' {
        $tag = New-Tag
        $owners = @($script:others) + @($script:signedIn)
        foreach ($owner in $owners) {
            $null = New-SeedPosition -Sandbox $script:sandbox -OwnerId $owner.id -Body @{ detail = @{ jobTitle = "$tag $($owner.id)"; company = @{ displayName = $tag } } }
        }
        Clear-SandboxJournal -Sandbox $script:sandbox

        $all = @($owners | ForEach-Object { [pscustomobject]@{ UserPrincipalName = $_.userPrincipalName } } |
                Get-ProfilePosition @Settings -All -SummaryVariable run)
        $read = @($all | Where-Object { $_.Detail.Company.DisplayName -eq $tag })

        $read.Detail.JobTitle | Should -Be @($owners | ForEach-Object { "$tag $($_.id)" })
        $read.UserId | Should -Be @($owners.userPrincipalName)
        $run.Read | Should -Be $all.Count
        $run.Items | Should -Be $owners.Count
        $gets = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'GET')
        $gets.Count | Should -BeGreaterOrEqual $owners.Count
        if ($Batched) { @($gets | Where-Object { $null -eq $_.batchId }).Count | Should -Be 0 }
    }

    It 'output streams: results come out while later rows are still being read' {
        $tag = New-Tag
        $rows = @(New-BulkRow $tag 30)
        $script:inputDone = $false
        $script:early = 0

        & { foreach ($row in $rows) { Start-Sleep -Milliseconds 30; $row }; $script:inputDone = $true } |
            New-ProfilePosition @Settings |
            ForEach-Object { if (-not $script:inputDone) { $script:early++ } }

        $script:early | Should -BeGreaterThan 10 -Because 'a result is written as soon as those before it are done, not at the end'
        (Get-TaggedPosition $tag).Count | Should -Be 30
    }
}

Describe 'The same outcome batched or not' {
    It 'gives the same outputs and the same errors (ids, categories, targets, messages) with -BatchSize 1 -ThrottleLimit 1 and the defaults' {
        $results = foreach ($settings in @{ BatchSize = 1; ThrottleLimit = 1 }, @{}) {
            $tag = New-Tag
            $rows = @(
                [pscustomobject]@{ UserId = $script:signedIn.id; JobTitle = 'Same 1'; CompanyName = $tag; StartMonthYear = '2020-01' }
                [pscustomobject]@{ UserId = $script:signedIn.id; JobTitle = 'Same 2'; CompanyName = $tag; StartMonthYear = '31/31/2020' }
                [pscustomobject]@{ UserId = ''; JobTitle = 'Same 3'; CompanyName = $tag }
                [pscustomobject]@{ UserId = 'nobody.here@contoso.com'; JobTitle = 'Same 4'; CompanyName = $tag }
                [pscustomobject]@{ UserId = $script:signedIn.id; JobTitle = 'Same 5'; CompanyName = $tag; IsCurrent = 'maybe' }
                [pscustomobject]@{ UserId = $script:signedIn.id; JobTitle = 'Same 6'; CompanyName = $tag; AdditionalProperties = '{"madeUpMember":1}' }
                [pscustomobject]@{ UserId = $script:signedIn.id; JobTitle = 'Same 7'; CompanyName = $tag; EndMonthYear = '2019-01'; StartMonthYear = '2020-01' }
                [pscustomobject]@{ UserId = $script:signedIn.userPrincipalName; JobTitle = 'Same 8'; CompanyName = $tag; IsCurrent = 'True' }
            )
            $records = @($rows | New-ProfilePosition @settings -SkipExisting -ErrorAction Continue -WarningAction SilentlyContinue 2>&1)
            [pscustomobject]@{
                Outputs = @($records | Where-Object { $_ -is [ProfilePositions.WorkPosition] } | ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.UserId, $_.Detail.JobTitle, $_.Detail.StartMonthYear, $_.IsCurrent })
                Errors  = @($records | Where-Object { $_ -is [Management.Automation.ErrorRecord] } | ForEach-Object { ConvertTo-ErrorShape $_ | ConvertTo-Json -Compress })
                Order   = @($records | ForEach-Object { Get-RowTitle $_ })
            }
        }

        $results[0].Outputs.Count | Should -Be 2
        $results[0].Errors.Count | Should -Be 6
        $results[1].Outputs | Should -Be $results[0].Outputs
        $results[1].Errors | Should -Be $results[0].Errors
        $results[1].Order | Should -Be $results[0].Order
        $results[0].Order | Should -Be @(1..8 | ForEach-Object { "Same $_" })
    }
}

Describe 'The token is never written into an envelope' {
    It 'sends Authorization on the $batch request only, never inside its steps' {
        Clear-SandboxJournal -Sandbox $script:sandbox
        $tag = New-Tag
        $null = New-BulkRow $tag 6 | New-ProfilePosition

        $envelopes = Get-Envelope
        $envelopes.Count | Should -BeGreaterThan 0
        foreach ($envelope in $envelopes) {
            $body = if ($envelope.body -is [string]) { $envelope.body } else { ConvertTo-Json $envelope.body -Depth 20 -Compress }
            $body | Should -Not -BeNullOrEmpty
            $body | Should -Not -Match 'Authorization'
            $body | Should -Not -Match ([regex]::Escape($script:token.Substring(0, 40)))
            $body | Should -Not -Match 'Bearer'
        }
    }
}

Describe 'A bounded window: an item that waits holds back output, not sending' {
    # A 503 with Retry-After is that item's own wait (a 429 pauses all sending instead, as Graph counts it per caller).
    It 'sends up to 1,000 items past one that waits out a 503 Retry-After, and writes everything in order' {
        Clear-SandboxJournal -Sandbox $script:sandbox
        $tag = New-Tag
        $rows = @(foreach ($number in 1..1100) { [pscustomobject]@{ UserId = $script:signedIn.id; JobTitle = "$tag $number"; CompanyName = $tag } })
        # The first create is told to come back in 2 seconds; the others go on meanwhile, up to the window's size.
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; nth = 1; status = 503; retryAfter = '2'; target = 'batchItem' }

        $created = @($rows | New-ProfilePosition -SummaryVariable run)

        $created.Count | Should -Be 1100
        $created.Detail.JobTitle | Should -Be @($rows.JobTitle)
        (Get-TaggedPosition $tag).Count | Should -Be 1100
        $posts = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        $faulted = @($posts | Where-Object status -EQ 503)
        $faulted.Count | Should -Be 1
        $title = (Get-RequestJson $faulted[0]).detail.jobTitle
        $retry = @($posts | Where-Object { $_.status -eq 201 -and (Get-RequestJson $_).detail.jobTitle -eq $title })
        $retry.Count | Should -Be 1
        $before = @($posts | Where-Object { $_.seq -lt $retry[0].seq -and $_.status -eq 201 })
        # The item that waits is one of the first envelope's 20; the window holds it and the 999 after it.
        $before.Count | Should -BeGreaterThan 900 -Because 'sending goes on while one item waits'
        $before.Count | Should -BeLessOrEqual 1020 -Because 'no more than the window (1,000 items) is read ahead of the item that waits'
        $run.Retries | Should -Be 1
    }
}

Describe 'Progress and Ctrl+C' {
    BeforeAll {
        # A slow Graph: 300 ms for every request and every item.
        $script:slow = Start-TestSandbox -ExtraArgs '--latency-ms', '300', '--seed', '3'
        $script:slowUser = Find-SandboxUser -Sandbox $script:slow -UserPrincipalName 'adele.vance@*'

        function New-SlowShell {
            # A runspace of its own, connected to the slow sandbox, as a script host would run the module.
            $module = (Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1'
            $token = Get-TestToken -Sandbox $script:slow -User $script:slowUser.userPrincipalName
            $shell = [powershell]::Create()
            $null = $shell.AddScript({
                    param($Module, $Token, $Endpoint)
                    Import-Module $Module
                    $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $Token -AsPlainText -Force) -GraphEndpoint $Endpoint
                }).AddArgument($module).AddArgument($token).AddArgument($script:slow.BaseUri)
            $null = $shell.Invoke()
            $shell.Commands.Clear()
            $shell
        }

        function Get-SlowPosts { @(Get-GraphRequest -Sandbox $script:slow | Where-Object method -EQ 'POST') }
    }

    AfterAll { Stop-TestSandbox -Sandbox $script:slow }

    It 'shows progress with done, total and rate on a run of more than two seconds, and completes it' {
        $shell = New-SlowShell
        try {
            $null = $shell.AddScript({
                    param($UserId)
                    1..16 | ForEach-Object { [pscustomobject]@{ UserId = $UserId; JobTitle = "Progress $_"; CompanyName = 'Progress Co' } } |
                        New-ProfilePosition -BatchSize 2 -ThrottleLimit 1 | Out-Null
                }).AddArgument($script:slowUser.id)
            $null = $shell.Invoke()

            $progress = @($shell.Streams.Progress | Where-Object Activity -EQ 'New-ProfilePosition')
            $progress.Count | Should -BeGreaterThan 1
            @($progress | Where-Object { $_.StatusDescription -match '^\d+ (of 16|done of \d+ read so far) \(.*\), \d+ items/s' }).Count | Should -BeGreaterThan 0
            $progress[-1].RecordType | Should -Be 'Completed'
        }
        finally { $shell.Dispose() }
    }

    It 'Ctrl+C stops sending at once, and the summary variable says what was done and what is unknown' {
        $shell = New-SlowShell
        $rows = 1..400 | ForEach-Object { [pscustomobject]@{ UserId = $script:slowUser.id; JobTitle = "Stop $_"; CompanyName = 'Stop Co' } }
        try {
            $null = $shell.AddScript({
                    param($Rows)
                    $Rows | New-ProfilePosition -SummaryVariable s | Out-Null
                }).AddArgument($rows)
            $async = $shell.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-SlowPosts).Count -lt 20 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $shell.Stop()
            try { $null = $shell.EndInvoke($async) } catch { $_.Exception.InnerException | Should -BeOfType ([Management.Automation.PipelineStoppedException]) }

            Start-Sleep -Milliseconds 800
            $settled = (Get-SlowPosts).Count
            Start-Sleep -Milliseconds 1500
            (Get-SlowPosts).Count | Should -Be $settled -Because 'nothing is sent after Ctrl+C'
            $settled | Should -BeLessThan 400

            $summary = $shell.Runspace.SessionStateProxy.GetVariable('s')
            $summary | Should -Not -BeNullOrEmpty
            $summary.Stopped | Should -BeTrue
            $summary.Items | Should -BeGreaterThan 0
            ($summary.Created + $summary.Failed + $summary.NotSent + $summary.Unknown) | Should -Be $summary.Items
            $summary.ToString() | Should -Match '^New-ProfilePosition stopped: '
            $stored = @(Get-StoredPosition -Sandbox $script:slow -OwnerId $script:slowUser.id | Where-Object { $_.detail.company.displayName -eq 'Stop Co' })
            $stored.Count | Should -BeGreaterOrEqual $summary.Created
            $stored.Count | Should -BeLessOrEqual ($summary.Created + $summary.Unknown)
            # Only rows whose write had left when the run stopped are unknown (at most 20 per $batch x 4 in flight); rows
            # still queued were never sent and say so.
            $summary.Unknown | Should -BeLessOrEqual 80
            $summary.NotSent | Should -BeGreaterThan 0
            $summary.ToString() | Should -Match '\d+ not sent'
        }
        finally { $shell.Dispose() }
    }
}

Describe 'An endpoint that cannot be reached' {
    It 'stops the run with one error that names the row and says how to resume, instead of one error per row' {
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $closed = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:token -AsPlainText -Force) -GraphEndpoint "http://127.0.0.1:$port"
        try {
            $rows = 1..30 | ForEach-Object { [pscustomobject]@{ UserId = $script:signedIn.id; JobTitle = "Unreachable $_" } }
            $failure = $null
            $Error.Clear()
            try { $rows | New-ProfilePosition -Connection $closed -MaxRetry 1 -ErrorVariable failures -SummaryVariable run | Out-Null }
            catch { $failure = $_ }

            $failure | Should -Not -BeNullOrEmpty -Because 'the run stops'
            $failure.FullyQualifiedErrorId | Should -BeLike 'GraphUnreachable,*'
            $failure.Exception.Message | Should -Match 'Nothing was sent'
            $failure.Exception.Message | Should -Match 'Stopped at row 1 '
            $failure.Exception.Message | Should -Match '-SkipExisting'
            @($Error | Where-Object { $_ -is [Management.Automation.ErrorRecord] }).Count | Should -Be 1 -Because 'one error, not one per row'
            $failures.Count | Should -Be 1 -Because 'no row wrote an error of its own'
            $run.Stopped | Should -BeTrue
            $run.Created | Should -Be 0
        }
        finally {
            Disconnect-ProfileGraph -Connection $closed -ErrorAction SilentlyContinue
            $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
        }
    }
}
