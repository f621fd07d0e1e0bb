#Requires -Version 7.0
<#
    The fault-injection scenarios a trustworthy bulk import must pass (sandbox-and-faults.md, section 5, numbered 1-20),
    one Describe each. Every scenario drives the built module as a user would (Import-Csv of a CSV written to $TestDrive,
    or generated objects, piped into New-, Update- or Remove-ProfilePosition) against a sandbox this file starts, with
    penalty mode on and $batch responses shuffled, and then checks the journal and the final state, not only the output:

      - the final state is the intended set (by natural key: user and job title), no duplicates, none missing;
      - every row has exactly one outcome (one output object or one error) and the -SummaryVariable counts add up;
      - no error for a write that was applied (unless the error says the outcome is unknown);
      - zero Retry-After violations (penalty mode).

    Retry-After values are sub-second or 1 s so the file runs fast; scenario 3 also uses an HTTP-date and 315 s.
    Scenario 19 (the seed sweep) runs 5,000 rows over 200 users at about 20 % mixed faults for New, Update and Remove,
    with the seeds in $env:PROFILEPOSITIONS_FAULT_SEEDS (comma-separated; default 1, as in CI; build.ps1 -Task Soak
    sets '1,2,3,4,5') and the row count in $env:PROFILEPOSITIONS_FAULT_ROWS (default 5000). The seed is in the test
    names, and the sandbox draws every fault decision from it, so a failing seed can be replayed:
        $env:PROFILEPOSITIONS_FAULT_SEEDS = '7'; Invoke-Pester -Path tests/Pester/Faults.Tests.ps1 -FullName '*seed 7*'
    (with several requests in flight the arrival order, and so a few decisions, can still differ from run to run).

    Scenarios about one fault run with -ThrottleLimit 1 (see $script:oneInFlight); 13-15 and 17-19 run with several
    requests in flight.
#>

BeforeDiscovery {
    $seedText = if ($env:PROFILEPOSITIONS_FAULT_SEEDS) { $env:PROFILEPOSITIONS_FAULT_SEEDS } else { '1' }
    $sweepSeeds = @($seedText -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ -ne '' } | ForEach-Object { [int] $_ })
    $sweepRows = if ($env:PROFILEPOSITIONS_FAULT_ROWS) { [int] $env:PROFILEPOSITIONS_FAULT_ROWS } else { 5000 }
    $sweepCases = @($sweepSeeds | ForEach-Object { @{ Seed = $_; Rows = $sweepRows; UserCount = 200 } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'FaultSupport.psm1') -Force
    Import-TestedModule
    $script:modulePath = (Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1'
    $seedText = if ($env:PROFILEPOSITIONS_FAULT_SEEDS) { $env:PROFILEPOSITIONS_FAULT_SEEDS } else { '1' }
    $script:seed = [int] (@($seedText -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ -ne '' })[0])
    $script:sandbox = Start-FaultSandbox -Seed $script:seed

    $script:adele = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:megan = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'megan.bowen@*'
    $script:lee = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'lee.gu@*'
    $script:innocenty = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'innocenty.popov@*'
    $script:patrick = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName "patrick.o'brien@*"
    $script:alex = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName '*#EXT#*'
    $script:service = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName '$svc*'
    $script:userMap = Get-UserIdMap -Sandbox $script:sandbox

    # Scenarios about one fault send one request or envelope at a time (-ThrottleLimit 1): penalty mode also counts a
    # request that was already on its way when another one's 429 was produced, which no client can avoid, so with
    # several in flight the violation check would judge that race rather than the module's waiting. Scenarios 13-15,
    # 17-19 run with several in flight.
    $script:oneInFlight = @{ ThrottleLimit = 1 }
    # With several in flight, a request that reached the sandbox less than this long after the answer that opened a
    # Retry-After window was produced was already being sent while that answer travelled and was read: only later ones
    # count against the module (Get-ViolationReport says which were which). On a loaded 2-core machine the module was
    # seen taking up to 114 ms to read an envelope's answer and pause, so the allowance is twice that.
    $script:raceAllowanceMs = 250

    # A company name per scenario, so its positions can be told apart.
    function New-Tag([string] $Name) { '{0} {1}' -f $Name, [guid]::NewGuid().ToString('n').Substring(0, 6) }

    # Natural keys: a create row by its job title, an update or delete row by its position id.
    $script:byTitle = { param($row) $row.JobTitle }
    $script:byOutputTitle = { param($position) $position.Detail.JobTitle }
    $script:byId = { param($row) $row.Id }
    $script:byOutputId = { param($position) $position.Id }

    # Seeds positions for a user straight through Graph (not the module); returns them as state entries.
    function New-TaggedSeed([string] $Tag, [string] $OwnerId, [int] $Count) {
        foreach ($number in 1..$Count) {
            $created = New-SeedPosition -Sandbox $script:sandbox -OwnerId $OwnerId -Body @{ detail = @{ jobTitle = "$Tag #$number"; company = @{ displayName = $Tag } } }
            [pscustomobject]@{ UserId = $OwnerId; Id = $created.id; JobTitle = $created.detail.jobTitle; Key = "$OwnerId|$($created.detail.jobTitle)"; Position = $created }
        }
    }

    # A journal entry applied the write: a 2xx, or a fault the sandbox played after the commit.
    function Test-Applied($Entry) { ($Entry.status -ge 200 -and $Entry.status -lt 300) -or ($Entry.fault -and $Entry.fault -like '*(commit after)*') }

    # The envelope a batch item came in (its journal entry), or $null for a plain request.
    function Get-EnvelopeOf($Journal, $Entry) { if ($null -eq $Entry.batchId) { $null } else { $Journal | Where-Object seq -EQ $Entry.batchId } }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe '1. A single 429 with Retry-After on a create' {
    BeforeAll { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It 'waits at least Retry-After (1 s), sends it once more, and the row is created once' {
        $tag = New-Tag 'S1'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 3)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's1.csv')
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; path = '/profile/positions$'; nth = 2; status = 429; retryAfter = '1' }

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $journal = Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope
        $throttled = @($journal | Where-Object { $_.status -eq 429 -and $_.fault -like 'rule*' })
        $throttled.Count | Should -Be 1 -Because 'the rule throttles one create'
        $attempts = @(Get-RowAttempt -Journal $journal -JobTitle (Get-RequestJson $throttled[0]).detail.jobTitle)
        $attempts.status | Should -Be @(429, 201) -Because 'the throttled create is sent once more, and only once'
        ($attempts[1].time - $throttled[0].time).TotalSeconds | Should -BeGreaterOrEqual 1.0 -Because 'the retry waits out Retry-After: 1'
        $summary.Throttled | Should -Be 1
        $summary.Retries | Should -Be 1
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '2. A 429 with no Retry-After' {
    BeforeAll { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It 'backs off exponentially with jitter from 3 s (two retries take 4-15 s), gives up after -MaxRetry, and the other rows are created' {
        $tag = New-Tag 'S2'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:lee.id, $script:megan.id, $script:megan.id -Count 3)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's2.csv')
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; user = $script:lee.id; status = 429 }

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -MaxRetry 2 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        @($outcome.Failed.JobTitle) | Should -Be @($rows[0].JobTitle)
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $failures[0].Exception.StatusCode | Should -Be 429
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable' -Because 'the row failed for now, not for good'

        $attempts = @(Get-RowAttempt -Journal (Get-GraphRequest -Sandbox $script:sandbox) -JobTitle $rows[0].JobTitle)
        $attempts.status | Should -Be @(429, 429, 429) -Because '-MaxRetry 2 bounds the attempts at three'
        $gaps = @(($attempts[1].time - $attempts[0].time).TotalSeconds, ($attempts[2].time - $attempts[1].time).TotalSeconds)
        foreach ($gap in $gaps) { $gap | Should -BeGreaterOrEqual 1.0 -Because 'no retry comes back at once after a 429' }
        # Polly's exponential back-off with jitter from 3 s: the first two delays add up to 4.13-8.5 s.
        ($gaps[0] + $gaps[1]) | Should -BeGreaterOrEqual 4.0 -Because 'two back-off delays from a 3 s base add up to at least 4.1 s'
        ($gaps[0] + $gaps[1]) | Should -BeLessOrEqual 15.0 -Because 'the back-off is capped and does not run away'
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '3. Retry-After as an HTTP-date, a fraction, and above the 180 s cap' {
    BeforeEach { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It 'an HTTP-date: no retry before that instant' {
        $tag = New-Tag 'S3 date'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 2)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's3-date.csv')
        $text = [DateTime]::UtcNow.AddSeconds(2).ToString('r', [Globalization.CultureInfo]::InvariantCulture)
        $notBefore = [DateTime]::ParseExact($text, 'r', [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AdjustToUniversal -bor [Globalization.DateTimeStyles]::AssumeUniversal)
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; path = '/profile/positions$'; nth = 1; status = 429; retryAfter = $text }

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $journal = Get-GraphRequest -Sandbox $script:sandbox
        $throttled = @($journal | Where-Object { $_.status -eq 429 })
        $throttled.Count | Should -Be 1
        $attempts = @(Get-RowAttempt -Journal $journal -JobTitle (Get-RequestJson $throttled[0]).detail.jobTitle)
        $attempts.status | Should -Be @(429, 201)
        $attempts[1].time.ToUniversalTime() | Should -BeGreaterOrEqual $notBefore -Because "Retry-After: $text"
        ($attempts[1].time.ToUniversalTime() - $notBefore).TotalSeconds | Should -BeLessThan 5 -Because 'it does not wait much longer than asked'
        Assert-NoViolation -Sandbox $script:sandbox
    }

    It 'a fraction (0.728): waits at least that long' {
        $tag = New-Tag 'S3 fraction'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 2)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's3-fraction.csv')
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; path = '/profile/positions$'; nth = 1; status = 429; retryAfter = '0.728' }

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $journal = Get-GraphRequest -Sandbox $script:sandbox
        $throttled = @($journal | Where-Object { $_.status -eq 429 })
        $attempts = @(Get-RowAttempt -Journal $journal -JobTitle (Get-RequestJson $throttled[0]).detail.jobTitle)
        $attempts.status | Should -Be @(429, 201)
        ($attempts[1].time - $attempts[0].time).TotalSeconds | Should -BeGreaterOrEqual 0.728
        Assert-NoViolation -Sandbox $script:sandbox
    }

    It '315 s, above the 180 s the policy waits: no retry at all, the row fails as retryable saying to wait 315 s, the others are created' {
        $tag = New-Tag 'S3 long'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 3)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's3-long.csv')
        # On the last row: after a 429 nothing at all is sent until its Retry-After has passed, so a later row would wait 315 s.
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; path = '/profile/positions$'; nth = 3; status = 429; retryAfter = '315' }
        $watch = [Diagnostics.Stopwatch]::StartNew()

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30 -Because 'it neither waits 315 s nor retries early'
        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed.Count | Should -Be 1
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $failures[0].Exception.StatusCode | Should -Be 429
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        "$($failures[0].Exception.Message) $($failures[0].ErrorDetails.RecommendedAction)" | Should -Match '\b315\b' -Because 'the error says how long Graph asked to wait'
        @(Get-RowAttempt -Journal (Get-GraphRequest -Sandbox $script:sandbox) -JobTitle $outcome.Failed[0].JobTitle).Count | Should -Be 1 -Because 'nothing is sent again inside the 315 s'
        $summary.Retries | Should -Be 0
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '4. A 429 that never ends' {
    BeforeAll { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It 'the row ends failed-retryable after -MaxRetry while the other rows go on; a rerun with -SkipExisting creates only that row' {
        $tag = New-Tag 'S4'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 12)
        $rows[2].UserId = $script:lee.id
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's4.csv')
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; user = $script:lee.id; status = 429; retryAfter = '0.2' }

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -MaxRetry 2 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        @($outcome.Failed.JobTitle) | Should -Be @($rows[2].JobTitle)
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $failures[0].Exception.StatusCode | Should -Be 429
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        @(Get-RowAttempt -Journal (Get-GraphRequest -Sandbox $script:sandbox) -JobTitle $rows[2].JobTitle).status | Should -Be @(429, 429, 429)
        Assert-NoViolation -Sandbox $script:sandbox

        Clear-SandboxFault -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
        $rerun = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SkipExisting -SummaryVariable rerunSummary -ErrorVariable rerunFailures -ErrorAction SilentlyContinue)

        $rerunOutcome = Assert-RunOutcome -Rows $rows -Output $rerun -Errors $rerunFailures -Summary $rerunSummary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $rerunOutcome.Failed | Should -BeNullOrEmpty
        $rerunSummary.Created | Should -Be 1
        $rerunSummary.Skipped | Should -Be 11
        $posts = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        @($posts | ForEach-Object { (Get-RequestJson $_).detail.jobTitle }) | Should -Be @($rows[2].JobTitle) -Because 'the rerun creates only the row that failed'
        $stored = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $rerunOutcome -Output $rerun -UserMap $script:userMap
        $stored.Count | Should -Be 12
    }
}

Describe '5. Which statuses are retried' {
    Context 'Creates' {
        BeforeEach { Initialize-FaultSandbox -Sandbox $script:sandbox }

        It '<Name> is retried (after a read, since the create may have run) and the row is created once' -ForEach @(
            @{ Name = '503 with Retry-After'; Rule = @{ status = 503; retryAfter = '0.3' } }
            @{ Name = '503 without Retry-After'; Rule = @{ status = 503 } }
            @{ Name = '504'; Rule = @{ status = 504; retryAfter = '0.2' } }
            @{ Name = '500'; Rule = @{ status = 500; retryAfter = '0.2' } }
            @{ Name = '502'; Rule = @{ status = 502; retryAfter = '0.2' } }
        ) {
            $tag = New-Tag 'S5'
            $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 3)
            $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's5.csv')
            # The last row: a Retry-After on a 5xx is scenario 10's subject, so no later row goes out inside it here.
            $null = Add-SandboxFault -Sandbox $script:sandbox -Rule (@{ method = 'POST'; path = '/profile/positions$'; nth = 3 } + $Rule)

            $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

            $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
            $outcome.Failed | Should -BeNullOrEmpty
            $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
            $journal = Get-GraphRequest -Sandbox $script:sandbox
            $faulted = @($journal | Where-Object { $_.fault -like 'rule*' })
            $faulted.Count | Should -Be 1
            $attempts = @(Get-RowAttempt -Journal $journal -JobTitle (Get-RequestJson $faulted[0]).detail.jobTitle)
            $attempts.status | Should -Be @($Rule.status, 201)
            @($journal | Where-Object { $_.method -eq 'GET' -and $_.seq -gt $attempts[0].seq -and $_.seq -lt $attempts[1].seq }).Count | Should -BeGreaterOrEqual 1 -Because 'the positions are read before the create is sent again'
            Assert-NoViolation -Sandbox $script:sandbox
        }

        It '507 is not retried: the row is reported once, nothing is created for it, and the run goes on' {
            $tag = New-Tag 'S5 507'
            $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 3)
            $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's5-507.csv')
            $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; path = '/profile/positions$'; nth = 2; status = 507 }

            $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

            $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
            $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
            $journal = Get-GraphRequest -Sandbox $script:sandbox
            $faulted = @($journal | Where-Object { $_.fault -like 'rule*' })
            $title = (Get-RequestJson $faulted[0]).detail.jobTitle
            @(Get-RowAttempt -Journal $journal -JobTitle $title).Count | Should -Be 1 -Because '507 Insufficient Storage is not sent again'
            @($outcome.Failed.JobTitle) | Should -Be @($title) -Because 'the 507 is reported for its row'
            $failures[0].Exception.StatusCode | Should -Be 507
            Assert-NoViolation -Sandbox $script:sandbox
        }

        It '400, 404 and 403 are not retried: each reported once, no read, and the other rows are created' {
            # 405 cannot be provoked: the module only sends methods the routes allow, and fault rules cannot answer 405.
            $tag = New-Tag 'S5 4xx'
            $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 4)
            $rows[1] | Add-Member -NotePropertyName AdditionalProperties -NotePropertyValue @{ notAGraphMember = 1 }
            $rows[2].UserId = 'nobody.here@contoso.com'

            $output = @($rows | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue 3>$null)

            $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
            @($outcome.Failed.JobTitle) | Should -Be @($rows[1].JobTitle, $rows[2].JobTitle)
            @($failures | ForEach-Object { $_.Exception.StatusCode }) | Should -Be @(400, 404)
            $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
            $journal = Get-GraphRequest -Sandbox $script:sandbox
            foreach ($row in $rows) { @(Get-RowAttempt -Journal $journal -JobTitle $row.JobTitle).Count | Should -Be 1 -Because "'$($row.JobTitle)' is sent once" }
            @($journal | Where-Object method -EQ 'GET').Count | Should -Be 0 -Because 'a 4xx says the create did not run: nothing to read'
            $summary.Retries | Should -Be 0

            # 403: signed in as Megan with User.ReadWrite, which writes her own profile only. Her name in another domain
            # may be her own UPN there, so the scope preflight cannot be sure and sends it; Graph refuses it.
            Initialize-FaultSandbox -Sandbox $script:sandbox -User $script:megan.userPrincipalName -Scopes 'User.ReadWrite'
            $tag = New-Tag 'S5 403'
            $alias = ($script:megan.userPrincipalName -split '@')[0] + '@contoso.onmicrosoft.com'
            $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id, $alias, $script:megan.id -Count 3)

            $output = @($rows | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

            $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
            @($outcome.Failed.JobTitle) | Should -Be @($rows[1].JobTitle)
            $failures[0].Exception.StatusCode | Should -Be 403
            $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
            @(Get-RowAttempt -Journal (Get-GraphRequest -Sandbox $script:sandbox) -JobTitle $rows[1].JobTitle).Count | Should -Be 1
            $summary.Retries | Should -Be 0
            Assert-NoViolation -Sandbox $script:sandbox
        }
    }

    Context '<Command>' -ForEach @(
        @{ Command = 'Update-ProfilePosition'; Method = 'PATCH' }
        @{ Command = 'Remove-ProfilePosition'; Method = 'DELETE' }
    ) {
        BeforeAll {
            Initialize-FaultSandbox -Sandbox $script:sandbox
            $script:tag5 = New-Tag "S5 $Method"
            # One Retry-After value for all, so that no retry is due inside another item's longer window, and the rows with
            # one last, so that no later row goes out inside it (a Retry-After on a 5xx is scenario 10's subject).
            $script:cases5 = [ordered]@{
                'no fault'                = $null
                '507'                     = @{ status = 507 }
                '503 without Retry-After' = @{ status = 503 }
                '503 with Retry-After'    = @{ status = 503; retryAfter = '0.3' }
                '504'                     = @{ status = 504; retryAfter = '0.3' }
                '500'                     = @{ status = 500; retryAfter = '0.3' }
                '502'                     = @{ status = 502; retryAfter = '0.3' }
            }
            $script:before5 = @(New-TaggedSeed -Tag $script:tag5 -OwnerId $script:megan.id -Count $script:cases5.Count)
            $script:position5 = @{}
            $index = 0
            foreach ($name in $script:cases5.Keys) {
                $position = $script:before5[$index++]
                $script:position5[$name] = $position
                if ($script:cases5[$name]) {
                    $null = Add-SandboxFault -Sandbox $script:sandbox -Rule (@{ method = $Method; path = "/$($position.Id)$"; nth = 1 } + $script:cases5[$name])
                }
            }
            $script:rows5 = @($script:before5 | ForEach-Object { [pscustomobject]@{ UserId = $script:megan.id; Id = $_.Id; JobTitle = "$($_.JobTitle) new" } })
            if ($Method -eq 'PATCH') {
                $script:output5 = @($script:rows5 | Update-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)
            }
            else {
                $script:output5 = @($script:rows5 | Remove-ProfilePosition @script:oneInFlight -PassThru -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)
            }
            $script:failures5 = @($failures)
            $script:summary5 = $summary
            $script:journal5 = @(Get-GraphRequest -Sandbox $script:sandbox)
        }

        It 'every row has one outcome and the state is right' {
            $outputKey = if ($Method -eq 'PATCH') { $script:byOutputId } else { $null }
            $outcome = Assert-RunOutcome -Rows $script:rows5 -Output $script:output5 -Errors $script:failures5 -Summary $script:summary5 -RowKey $script:byId -OutputKey $outputKey -Outcome $(if ($Method -eq 'PATCH') { 'Updated' } else { 'Removed' })
            if ($Method -eq 'PATCH') { Assert-UpdatedState -Sandbox $script:sandbox -Tag $script:tag5 -Before $script:before5 -Outcome $outcome }
            else { Assert-RemovedState -Sandbox $script:sandbox -Tag $script:tag5 -Before $script:before5 -Outcome $outcome }
        }

        It 'nothing arrived inside a Retry-After' {
            Assert-NoViolation -Sandbox $script:sandbox
        }

        It '<_> is retried and the write succeeds' -ForEach @('503 with Retry-After', '503 without Retry-After', '504', '500', '502') {
            $position = $script:position5[$_]
            $attempts = @(Get-RowAttempt -Journal $script:journal5 -Method $Method -PositionId $position.Id)
            $attempts.Count | Should -Be 2 -Because "$Method after a $_ is sent once more"
            $attempts[1].status | Should -BeIn @(200, 204)
            @($script:failures5 | Where-Object { $_.TargetObject.Id -eq $position.Id }) | Should -BeNullOrEmpty -Because 'the retried write succeeded'
        }

        It '507 is not retried and is reported for its row' {
            $position = $script:position5['507']
            @(Get-RowAttempt -Journal $script:journal5 -Method $Method -PositionId $position.Id).Count | Should -Be 1
            $record = @($script:failures5 | Where-Object { $_.TargetObject.Id -eq $position.Id })
            $record.Count | Should -Be 1
            $record[0].Exception.StatusCode | Should -Be 507
        }
    }
}

Describe '6. A create that fails after its commit' {
    BeforeEach { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It '<Name>: the positions are read, the create is found and not sent again; one position per row' -ForEach @(
        # A fault with a Retry-After hits the last row (see scenario 5); the others hit the second.
        @{ Name = '503'; Rule = @{ nth = 4; status = 503; retryAfter = '0.3'; commit = 'after' } }
        @{ Name = '504'; Rule = @{ nth = 2; status = 504; commit = 'after' } }
        @{ Name = 'a reset connection'; Rule = @{ nth = 2; transport = 'reset'; commit = 'after' } }
        @{ Name = 'a hang past -TimeoutSec'; Rule = @{ nth = 2; transport = 'hang'; commit = 'after' } }
    ) {
        $tag = New-Tag 'S6'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id, $script:lee.id -Count 4)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's6.csv')
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule (@{ method = 'POST'; path = '/profile/positions$' } + $Rule)

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -TimeoutSec 1 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $stored = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $stored.Count | Should -Be $rows.Count
        $journal = Get-GraphRequest -Sandbox $script:sandbox
        $faulted = @($journal | Where-Object { $_.fault -like '*(commit after)*' -and $_.method -eq 'POST' -and $_.path -notlike '*/$batch' })
        $faulted.Count | Should -Be 1
        $title = (Get-RequestJson $faulted[0]).detail.jobTitle
        @(Get-RowAttempt -Journal $journal -JobTitle $title).Count | Should -Be 1 -Because 'the create was found by the read and is not sent again'
        @($journal | Where-Object { $_.method -eq 'GET' -and $_.seq -gt $faulted[0].seq }).Count | Should -BeGreaterOrEqual 1 -Because 'the positions are read to settle the unknown outcome'
        foreach ($row in $rows) {
            @(Get-RowAttempt -Journal $journal -JobTitle $row.JobTitle | Where-Object { Test-Applied $_ }).Count | Should -Be 1 -Because "'$($row.JobTitle)' is applied once"
        }
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '7. A create that fails before its commit' {
    BeforeEach { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It '<Name>: created exactly once on the retry' -ForEach @(
        # A 5xx with a Retry-After hits the last row (see scenario 5); the others hit the second.
        @{ Name = '503'; Rule = @{ nth = 4; status = 503; retryAfter = '0.3' }; Reads = $true }
        @{ Name = '500'; Rule = @{ nth = 4; status = 500; retryAfter = '0.2' }; Reads = $true }
        @{ Name = '429'; Rule = @{ nth = 2; status = 429; retryAfter = '0.3' }; Reads = $false }
        @{ Name = 'a reset connection'; Rule = @{ nth = 2; transport = 'reset' }; Reads = $true }
        # .NET resends a request once by itself when a pooled connection closes before any response byte.
        @{ Name = 'a closed connection'; Rule = @{ nth = 2; transport = 'close' }; Reads = $null }
    ) {
        $tag = New-Tag 'S7'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id, $script:lee.id -Count 4)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's7.csv')
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule (@{ method = 'POST'; path = '/profile/positions$' } + $Rule)

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $stored = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $stored.Count | Should -Be $rows.Count
        $journal = Get-GraphRequest -Sandbox $script:sandbox
        $faulted = @($journal | Where-Object { $_.fault -like 'rule*' -and $_.path -notlike '*/$batch' })
        $faulted.Count | Should -Be 1
        $attempts = @(Get-RowAttempt -Journal $journal -JobTitle (Get-RequestJson $faulted[0]).detail.jobTitle)
        @($attempts | Where-Object { Test-Applied $_ }).Count | Should -Be 1 -Because 'the row is created exactly once'
        $attempts[-1].status | Should -Be 201
        if ($null -ne $Reads) {
            $reads = @($journal | Where-Object { $_.method -eq 'GET' -and $_.seq -gt $attempts[0].seq -and $_.seq -lt $attempts[-1].seq })
            if ($Reads) { $reads.Count | Should -BeGreaterOrEqual 1 -Because 'an unknown outcome is settled by a read before sending again' }
            else { $reads.Count | Should -Be 0 -Because 'a 429 says the create did not run: it is sent again without a read' }
        }
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '8. Updates and deletes that fail after their commit' {
    # -BatchSize 1: each write is its own request, so a transport fault hits one position (in an envelope it would take
    # the whole envelope down) and the journal shows each position's attempts on their own. No Retry-After here: the
    # waits are the back-off's.
    Context '<Command>' -ForEach @(
        @{ Command = 'Update-ProfilePosition'; Method = 'PATCH' }
        @{ Command = 'Remove-ProfilePosition'; Method = 'DELETE' }
    ) {
        BeforeAll {
            Initialize-FaultSandbox -Sandbox $script:sandbox
            $script:tag8 = New-Tag "S8 $Method"
            $script:cases8 = [ordered]@{
                '503'                     = @{ status = 503; commit = 'after' }
                '504'                     = @{ status = 504; commit = 'after' }
                '500'                     = @{ status = 500; commit = 'after' }
                'a reset connection'      = @{ transport = 'reset'; commit = 'after' }
                'a cut-off answer'        = @{ transport = 'halfBody'; commit = 'after' }
                'a hang past -TimeoutSec' = @{ transport = 'hang'; commit = 'after' }
                'no fault'                = $null
            }
            $script:before8 = @(New-TaggedSeed -Tag $script:tag8 -OwnerId $script:lee.id -Count $script:cases8.Count)
            $script:position8 = @{}
            $index = 0
            foreach ($name in $script:cases8.Keys) {
                $position = $script:before8[$index++]
                $script:position8[$name] = $position
                if ($script:cases8[$name]) {
                    $null = Add-SandboxFault -Sandbox $script:sandbox -Rule (@{ method = $Method; path = "/$($position.Id)$"; nth = 1 } + $script:cases8[$name])
                }
            }
            $script:rows8 = @($script:before8 | ForEach-Object { [pscustomobject]@{ UserId = $script:lee.userPrincipalName; Id = $_.Id; JobTitle = "$($_.JobTitle) new" } })
            $csv = Export-FaultCsv -Rows $script:rows8 -Path (Join-Path $TestDrive "s8-$Method.csv")
            if ($Method -eq 'PATCH') {
                $script:output8 = @(Import-Csv -Path $csv | Update-ProfilePosition -BatchSize 1 -ThrottleLimit 8 -TimeoutSec 1 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)
            }
            else {
                $script:output8 = @(Import-Csv -Path $csv | Remove-ProfilePosition -PassThru -BatchSize 1 -ThrottleLimit 8 -TimeoutSec 1 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)
            }
            $script:failures8 = @($failures)
            $script:summary8 = $summary
            $script:journal8 = @(Get-GraphRequest -Sandbox $script:sandbox)
        }

        It 'every row has one outcome, the state is right, and nothing arrived inside a Retry-After' {
            $outputKey = if ($Method -eq 'PATCH') { $script:byOutputId } else { $null }
            $outcome = Assert-RunOutcome -Rows $script:rows8 -Output $script:output8 -Errors $script:failures8 -Summary $script:summary8 -RowKey $script:byId -OutputKey $outputKey -Outcome $(if ($Method -eq 'PATCH') { 'Updated' } else { 'Removed' })
            if ($Method -eq 'PATCH') { Assert-UpdatedState -Sandbox $script:sandbox -Tag $script:tag8 -Before $script:before8 -Outcome $outcome }
            else { Assert-RemovedState -Sandbox $script:sandbox -Tag $script:tag8 -Before $script:before8 -Outcome $outcome }
            Assert-NoViolation -Sandbox $script:sandbox
        }

        It '<_> after the commit: no error, and the position ends as the row says' -ForEach @('503', '504', '500', 'a reset connection', 'a cut-off answer', 'a hang past -TimeoutSec') {
            $position = $script:position8[$_]
            $attempts = @(Get-RowAttempt -Journal $script:journal8 -Method $Method -PositionId $position.Id)
            $attempts[0].fault | Should -BeLike '*(commit after)*' -Because 'the fault was played after the write was applied'
            @($script:failures8 | Where-Object { $_.TargetObject.Id -eq $position.Id } | ForEach-Object { $_.Exception.Message }) | Should -BeNullOrEmpty -Because 'the write was applied'
            $stored = @(Get-TaggedPosition -Sandbox $script:sandbox -Tag $script:tag8 | Where-Object Id -EQ $position.Id)
            if ($Method -eq 'PATCH') {
                $stored.Count | Should -Be 1
                $stored[0].JobTitle | Should -Be "$($position.JobTitle) new"
            }
            else {
                $stored | Should -BeNullOrEmpty
                if ($attempts.Count -gt 1) {
                    $attempts[-1].status | Should -Be 404 -Because 'the delete that is sent again finds the position gone, and that counts as removed'
                }
            }
        }
    }
}

Describe '9. A list read cut off or reset' {
    BeforeEach { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It 'Get-ProfilePosition after <Name>: read again, every position once, nothing half-parsed' -ForEach @(
        @{ Name = 'a cut-off body'; Rule = @{ transport = 'halfBody' } }
        @{ Name = 'a reset connection'; Rule = @{ transport = 'reset' } }
        @{ Name = 'a closed connection'; Rule = @{ transport = 'close' } }
    ) {
        $tag = New-Tag 'S9'
        $seeded = @(New-TaggedSeed -Tag $tag -OwnerId $script:megan.id -Count 5)
        Clear-SandboxJournal -Sandbox $script:sandbox
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule (@{ method = 'GET'; path = '/profile/positions$'; nth = 1 } + $Rule)

        $read = @(Get-ProfilePosition -UserId $script:megan.id -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures | Should -BeNullOrEmpty
        @($read.Id | Sort-Object) | Should -Be @($seeded.Id | Sort-Object) -Because 'every position is read once: no partial page, no duplicates'
        @($read | ForEach-Object { $_.Detail.JobTitle } | Sort-Object) | Should -Be @($seeded.JobTitle | Sort-Object)
        $summary.Read | Should -Be 5
        $journal = @(Get-GraphRequest -Sandbox $script:sandbox)
        $journal[0].fault | Should -BeLike "*$($Rule.transport)*"
        $journal[-1].status | Should -Be 200
        Assert-NoViolation -Sandbox $script:sandbox
    }

    It 'a create whose settling read is cut off reads again and still creates the row once' {
        $tag = New-Tag 'S9 create'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 2)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's9.csv')
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @(
            @{ method = 'POST'; path = '/profile/positions$'; nth = 2; status = 503; retryAfter = '0.2'; commit = 'after' }
            @{ method = 'GET'; path = '/profile/positions$'; nth = 1; transport = 'halfBody' }
        )

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $journal = Get-GraphRequest -Sandbox $script:sandbox
        $reads = @($journal | Where-Object method -EQ 'GET')
        $reads[0].fault | Should -BeLike '*halfBody*'
        $reads.Count | Should -BeGreaterOrEqual 2 -Because 'the cut-off read is read again'
        foreach ($row in $rows) { @(Get-RowAttempt -Journal $journal -JobTitle $row.JobTitle).Count | Should -Be 1 }
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '10. A $batch answer with mixed item statuses, shuffled' {
    BeforeEach { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It 'resends only the throttled items, after the longest Retry-After, never a success or a 400, and matches results by id' {
        $tag = New-Tag 'S10'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 12)
        $rows[2].UserId = $script:lee.id          # 429, Retry-After 0.3
        $rows[5].UserId = $script:innocenty.id    # 429, Retry-After 0.6
        $rows[8] | Add-Member -NotePropertyName AdditionalProperties -NotePropertyValue @{ notAGraphMember = 1 } # 400
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @(
            @{ method = 'POST'; user = $script:lee.id; nth = 1; status = 429; retryAfter = '0.3' }
            @{ method = 'POST'; user = $script:innocenty.id; nth = 1; status = 429; retryAfter = '0.6' }
        )

        $output = @($rows | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue 3>$null)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        @($outcome.Failed.JobTitle) | Should -Be @($rows[8].JobTitle)
        $failures[0].Exception.StatusCode | Should -Be 400
        $stored = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        foreach ($position in $output) {
            ($stored | Where-Object Id -EQ $position.Id).JobTitle | Should -Be $position.Detail.JobTitle -Because 'each output is the position its own item created'
        }
        $journal = @(Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope)
        foreach ($row in $rows) {
            $attempts = @(Get-RowAttempt -Journal $journal -JobTitle $row.JobTitle)
            if ($row.JobTitle -in $rows[2].JobTitle, $rows[5].JobTitle) {
                $attempts.status | Should -Be @(429, 201)
                $envelope = Get-EnvelopeOf $journal $attempts[0]
                $answered = if ($envelope) { $envelope.time } else { $attempts[0].time }
                $longest = @($journal | Where-Object { $envelope -and $_.batchId -eq $envelope.seq -and $_.fault -match 'Retry-After ([0-9.]+)' } | ForEach-Object { [double] ($_.fault -replace '.*Retry-After ([0-9.]+).*', '$1') } | Measure-Object -Maximum).Maximum
                if (-not $longest) { $longest = if ($row.JobTitle -eq $rows[2].JobTitle) { 0.3 } else { 0.6 } }
                ($attempts[1].time - $answered).TotalSeconds | Should -BeGreaterOrEqual $longest -Because "'$($row.JobTitle)' waits for the longest Retry-After of its envelope ($longest s)"
            }
            else {
                $attempts.Count | Should -Be 1 -Because "'$($row.JobTitle)' (201 or 400) is never sent again"
            }
        }
        $summary.Throttled | Should -Be 2
        Assert-NoViolation -Sandbox $script:sandbox
    }

    It 'with a 503 that asks for the longest wait (1 s), nothing is sent again before that wait is over' {
        $tag = New-Tag 'S10 503'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 10)
        $rows[2].UserId = $script:lee.id          # 429, Retry-After 0.3
        $rows[4].UserId = $script:alex.id         # 503, Retry-After 1
        $rows[7].UserId = $script:innocenty.id    # 429, Retry-After 0.6
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's10.csv')
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @(
            @{ method = 'POST'; user = $script:lee.id; nth = 1; status = 429; retryAfter = '0.3' }
            @{ method = 'POST'; user = $script:alex.id; nth = 1; status = 503; retryAfter = '1' }
            @{ method = 'POST'; user = $script:innocenty.id; nth = 1; status = 429; retryAfter = '0.6' }
        )

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $journal = @(Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope)
        $first = @(Get-RowAttempt -Journal $journal -JobTitle $rows[4].JobTitle)[0]
        $first.status | Should -Be 503
        $envelope = Get-EnvelopeOf $journal $first
        $answered = if ($envelope) { $envelope.time } else { $first.time }
        $later = @($journal | Where-Object { $_.seq -gt $(if ($envelope) { $envelope.seq } else { $first.seq }) -and $_.time -gt $answered })
        $early = @($later | Where-Object { ($_.time - $answered).TotalSeconds -lt 1.0 } | ForEach-Object { '{0} {1} at +{2:0.000} s' -f $_.method, $_.path, ($_.time - $answered).TotalSeconds })
        $early | Should -BeNullOrEmpty -Because 'Graph asked (Retry-After: 1 on the 503) not to come back for 1 s'
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '11. The $batch envelope itself fails' {
    BeforeEach { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It '<Name>: no item is created twice, every row once' -ForEach @(
        @{ Name = '429 before anything ran'; Rule = @{ status = 429; retryAfter = '0.3' } }
        # No Retry-After on the 5xx here: that is scenario 10's subject.
        @{ Name = '503 after the items were applied'; Rule = @{ status = 503; commit = 'after' } }
        @{ Name = '504 after the items were applied'; Rule = @{ status = 504; commit = 'after' } }
        @{ Name = 'a reset after the items were applied'; Rule = @{ transport = 'reset'; commit = 'after' } }
        @{ Name = 'a cut-off answer after the items were applied'; Rule = @{ transport = 'halfBody'; commit = 'after' } }
    ) {
        $tag = New-Tag 'S11'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id, $script:lee.id -Count 10)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's11.csv')
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule (@{ target = 'envelope'; path = '\$batch$'; nth = 1 } + $Rule)

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @script:oneInFlight -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $stored = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $stored.Count | Should -Be $rows.Count
        $journal = @(Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope)
        $envelope = @(Get-EnvelopeRequest -Journal $journal | Where-Object { $_.Fault -like 'rule*' })
        $envelope.Count | Should -Be 1 -Because 'the rule hit one envelope'
        $envelope[0].Requests.Count | Should -BeGreaterThan 1
        foreach ($row in $rows) {
            @(Get-RowAttempt -Journal $journal -JobTitle $row.JobTitle | Where-Object { Test-Applied $_ }).Count | Should -Be 1 -Because "'$($row.JobTitle)' is applied once: the envelope is not replayed blindly"
        }
        if ($Rule.status -eq 429) {
            foreach ($request in $envelope[0].Requests) {
                $attempts = @(Get-RowAttempt -Journal $journal -JobTitle $request.body.detail.jobTitle)
                ($attempts[0].time - $envelope[0].Time).TotalSeconds | Should -BeGreaterOrEqual 0.3 -Because 'the throttled envelope''s items wait out its Retry-After'
            }
        }
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '12. dependsOn: writes to one position stay in input order without it' {
    BeforeAll { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It 'no envelope item has dependsOn; three updates of one position go out in different envelopes, in input order, also when the first fails' {
        # The module never sends dependsOn: items are independent and order is kept by sequencing writes to one position.
        $tag = New-Tag 'S12'
        $before = @(New-TaggedSeed -Tag $tag -OwnerId $script:megan.id -Count 4)
        $a = $before[0]
        $rows = @(
            [pscustomobject]@{ UserId = $script:megan.id; Id = $a.Id; JobTitle = 'A v1' }
            [pscustomobject]@{ UserId = $script:megan.id; Id = $before[1].Id; JobTitle = 'B v1' }
            [pscustomobject]@{ UserId = $script:megan.id; Id = $a.Id; JobTitle = 'A v2' }
            [pscustomobject]@{ UserId = $script:megan.id; Id = $before[2].Id; JobTitle = 'C v1' }
            [pscustomobject]@{ UserId = $script:megan.id; Id = $a.Id; JobTitle = 'A v3' }
            [pscustomobject]@{ UserId = $script:megan.id; Id = $before[3].Id; JobTitle = 'D v1' }
        )
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's12.csv')
        Clear-SandboxJournal -Sandbox $script:sandbox
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'PATCH'; path = "/$($a.Id)$"; nth = 1; status = 503 }

        $output = @(Import-Csv -Path $csv | Update-ProfilePosition -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle -Outcome Updated
        $outcome.Failed | Should -BeNullOrEmpty
        $journal = @(Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope)
        foreach ($envelope in Get-EnvelopeRequest -Journal $journal) {
            @($envelope.Requests | Where-Object { $_.ContainsKey('dependsOn') }) | Should -BeNullOrEmpty -Because 'no envelope item carries dependsOn'
        }
        $patches = @(Get-RowAttempt -Journal $journal -Method PATCH -PositionId $a.Id)
        @($patches | ForEach-Object { (Get-RequestJson $_).detail.jobTitle }) | Should -Be @('A v1', 'A v1', 'A v2', 'A v3') -Because 'the failed first update is retried before the next one goes out'
        $patches.status | Should -Be @(503, 200, 200, 200)
        $envelopes = @($patches | ForEach-Object { if ($null -eq $_.batchId) { "plain $($_.seq)" } else { "batch $($_.batchId)" } })
        @($envelopes | Sort-Object -Unique).Count | Should -Be $patches.Count -Because 'two writes to one position are never in one envelope'
        $final = @{}
        foreach ($position in Get-TaggedPosition -Sandbox $script:sandbox -Tag $tag) { $final[$position.Id] = $position.JobTitle }
        $final[$a.Id] | Should -Be 'A v3'
        $final[$before[1].Id] | Should -Be 'B v1'
        $final[$before[2].Id] | Should -Be 'C v1'
        $final[$before[3].Id] | Should -Be 'D v1'
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '13. More than 20 items' {
    BeforeEach { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It '<Rows> rows with <Parameters>: envelopes of at most <Max> items with unique ids, each row sent once' -ForEach @(
        @{ Rows = 45; Parameters = 'the defaults'; Splat = @{}; Max = 20 }
        @{ Rows = 15; Parameters = '-BatchSize 7'; Splat = @{ BatchSize = 7 }; Max = 7 }
    ) {
        $tag = New-Tag 'S13'
        $rowList = @(New-FaultRow -Tag $tag -UserId $script:megan.id, $script:lee.id, $script:innocenty.id -Count $Rows)
        $csv = Export-FaultCsv -Rows $rowList -Path (Join-Path $TestDrive 's13.csv')

        $output = @(Import-Csv -Path $csv | New-ProfilePosition @Splat -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rowList -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $journal = @(Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope)
        $envelopes = @(Get-EnvelopeRequest -Journal $journal)
        $envelopes.Count | Should -BeGreaterOrEqual 1
        $plain = @($journal | Where-Object { $_.method -eq 'POST' -and $_.path -notlike '*/$batch' -and $null -eq $_.batchId })
        (($envelopes | ForEach-Object { $_.Requests.Count } | Measure-Object -Sum).Sum + $plain.Count) | Should -Be $Rows -Because 'every row goes out once, in an envelope or as a plain request'
        foreach ($envelope in $envelopes) {
            $envelope.Requests.Count | Should -BeLessOrEqual $Max
            $envelope.Status | Should -Be 200 -Because 'the sandbox refuses an envelope with more than 20 items or duplicate ids with 400'
            @($envelope.Requests.id | ForEach-Object { $_.ToLowerInvariant() } | Sort-Object -Unique).Count | Should -Be $envelope.Requests.Count -Because 'item ids are unique within an envelope'
        }
        @($journal | Where-Object { $_.method -eq 'POST' -and $_.path -notlike '*/$batch' }).Count | Should -Be $Rows -Because 'each row is sent once'
        $summary.Envelopes | Should -Be $envelopes.Count
        Assert-NoViolation -Sandbox $script:sandbox -RaceAllowanceMs $script:raceAllowanceMs
    }
}

Describe '14. Penalty mode for a whole run' {
    BeforeAll { Initialize-FaultSandbox -Sandbox $script:sandbox }

    It 'a 300-row import under random 429s (items and envelopes; fraction, integer and HTTP-date) ends with zero violations' {
        $tag = New-Tag 'S14'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id, $script:lee.id, $script:innocenty.id, $script:patrick.id -Count 300)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's14.csv')
        $httpDate = [DateTime]::UtcNow.AddSeconds(3).ToString('r', [Globalization.CultureInfo]::InvariantCulture)
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @(
            @{ method = 'POST'; path = '/profile/positions$'; probability = 0.02; status = 429; retryAfter = '0.2' }
            @{ method = 'POST'; path = '/profile/positions$'; probability = 0.005; status = 429; retryAfter = '1' }
            @{ method = 'POST'; path = '/profile/positions$'; probability = 0.005; status = 429; retryAfter = $httpDate }
            @{ target = 'envelope'; path = '\$batch$'; probability = 0.05; status = 429; retryAfter = '0.3' }
        )

        $output = @(Import-Csv -Path $csv | New-ProfilePosition -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty
        $null = Assert-CreatedState -Sandbox $script:sandbox -Tag $tag -Outcome $outcome -Output $output -UserMap $script:userMap
        $summary.Throttled | Should -BeGreaterThan 0 -Because 'the rules throttled some items'
        Assert-NoViolation -Sandbox $script:sandbox -RaceAllowanceMs $script:raceAllowanceMs
    }
}

Describe '15. A token-bucket limiter (--throttle 80/1)' {
    BeforeAll {
        $script:bucket = Start-FaultSandbox -Seed $script:seed -ExtraArgs '--throttle', '80/1'
        $script:bucketUsers = Get-UserIdMap -Sandbox $script:bucket
    }
    AfterAll { Stop-TestSandbox -Sandbox $script:bucket }

    It 'one import with 4 envelopes in flight completes at about the bucket''s rate, every row once, zero violations' {
        Initialize-FaultSandbox -Sandbox $script:bucket
        $tag = New-Tag 'S15'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id, $script:lee.id, $script:innocenty.id, $script:patrick.id, $script:service.id -Count 400)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's15.csv')
        $watch = [Diagnostics.Stopwatch]::StartNew()

        $output = @(Import-Csv -Path $csv | New-ProfilePosition -ThrottleLimit 4 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 60 -Because 'no deadlock: 400 rows at 80 per second take about 5 s'
        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $outcome.Failed | Should -BeNullOrEmpty -Because 'throttling slows the run down; it fails no row'
        $null = Assert-CreatedState -Sandbox $script:bucket -Tag $tag -Outcome $outcome -Output $output -UserMap $script:bucketUsers
        $summary.Throttled | Should -BeGreaterThan 0 -Because '400 rows at once exceed an 80-token bucket'
        $summary.ItemsPerSecond | Should -BeGreaterOrEqual 40 -Because 'the run adapts to the bucket (80 per second) rather than crawling'
        Assert-NoViolation -Sandbox $script:bucket -RaceAllowanceMs $script:raceAllowanceMs
    }

    It 'three parallel workers (ForEach-Object -Parallel, each signed in as itself) all complete, every row once, zero violations' {
        Initialize-FaultSandbox -Sandbox $script:bucket
        $tag = New-Tag 'S15 parallel'
        $workers = @(foreach ($user in $script:adele, $script:megan, $script:lee) {
                $rows = @(New-FaultRow -Tag $tag -UserId 'me' -Count 150)
                foreach ($row in $rows) { $row.JobTitle = "$($row.JobTitle) by $($user.userPrincipalName)" }
                @{ User = $user; Token = (Get-TestToken -Sandbox $script:bucket -User $user.userPrincipalName -Scopes 'User.ReadWrite'); Rows = $rows }
            })
        $module = $script:modulePath
        $uri = $script:bucket.BaseUri
        $watch = [Diagnostics.Stopwatch]::StartNew()

        $results = @($workers | ForEach-Object -ThrottleLimit 3 -Parallel {
                Import-Module $using:module
                $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $_.Token -AsPlainText -Force) -GraphEndpoint $using:uri
                $created = @($_.Rows | New-ProfilePosition -SummaryVariable summary -ErrorAction SilentlyContinue -ErrorVariable failures)
                [pscustomobject]@{ User = $_.User.id; Created = $created.Count; Errors = @($failures).Count; Summary = $summary }
            })

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 90 -Because 'no worker waits for ever'
        $results.Count | Should -Be 3
        foreach ($result in $results) {
            $result.Errors | Should -Be 0 -Because "worker $($result.User) fails no row"
            $result.Created | Should -Be 150
            $result.Summary.Created | Should -Be 150
        }
        $stored = @(Get-TaggedPosition -Sandbox $script:bucket -Tag $tag)
        $stored.Count | Should -Be 450
        @($stored | Group-Object Key | Where-Object Count -GT 1) | Should -BeNullOrEmpty
        foreach ($worker in $workers) {
            @($stored | Where-Object UserId -EQ $worker.User.id).Count | Should -Be 150 -Because 'each worker writes its own profile'
        }
        Assert-NoViolation -Sandbox $script:bucket -RaceAllowanceMs $script:raceAllowanceMs
    }
}

Describe '16. A token without the write permission' {
    # A 401 (token expired mid-run, refreshed once) belongs to the sign-in work and is covered there later;
    # this scenario covers the 403 part only.
    BeforeAll { Initialize-FaultSandbox -Sandbox $script:sandbox -Scopes 'User.Read.All' }

    It 'fails fast: one terminating error before anything is sent, naming the missing permission and the command that adds it' {
        $tag = New-Tag 'S16'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 10)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's16.csv')
        $failure = $null

        try { $null = Import-Csv -Path $csv | New-ProfilePosition -SummaryVariable summary }
        catch { $failure = $_ }

        # No write scope at all: every row would get a 403, so the scope preflight stops the run at row 1.
        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'MissingScope,*'
        $failure.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failure.Exception.Message | Should -BeLike '*needs the delegated permission User.ReadWrite.All*Connect-ProfileGraph -Scopes User.ReadWrite.All*Stopped at row 1 *'
        $failure.ErrorDetails.RecommendedAction | Should -Match 'User\.ReadWrite\.All'
        $summary.Stopped | Should -BeTrue
        $summary.NotSent | Should -Be 1 -Because 'row 1 was refused before it was sent, and no later row was read'
        $summary.Failed | Should -Be 0
        $summary.Retries | Should -Be 0
        @(Get-GraphRequest -Sandbox $script:sandbox) | Should -BeNullOrEmpty -Because 'nothing is sent that Graph would refuse'
        @(Get-TaggedPosition -Sandbox $script:sandbox -Tag $tag) | Should -BeNullOrEmpty
        Assert-NoViolation -Sandbox $script:sandbox
    }
}

Describe '17. The sandbox killed mid-run and restarted on its --data file' {
    BeforeAll {
        $script:dataFile = Join-Path $TestDrive 'tenant.json'
        $script:first17 = Start-FaultSandbox -Seed $script:seed -ExtraArgs '--data', $script:dataFile, '--latency-ms', '20-40'
        $script:second17 = $null
    }
    AfterAll {
        Stop-TestSandbox -Sandbox $script:first17
        Stop-TestSandbox -Sandbox $script:second17
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    }

    It 'stops with one terminating error naming the row and -SkipExisting; after a restart a rerun with -SkipExisting converges with no duplicates' {
        Set-SandboxPenalty -Sandbox $script:first17
        $null = Connect-TestSandbox -Sandbox $script:first17 -User $script:adele.userPrincipalName
        $tag = New-Tag 'S17'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id, $script:lee.id, $script:innocenty.id, $script:patrick.id, $script:service.id, $script:alex.id -Count 600)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's17.csv')
        $killer = Start-ThreadJob -ArgumentList $script:first17.BaseUri, $script:first17.Process.Id -ScriptBlock {
            param($uri, $processId)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ([DateTime]::UtcNow -lt $deadline) {
                $health = Invoke-RestMethod -Uri "$uri/_sandbox/health"
                if ($health.positions -ge 30) { Stop-Process -Id $processId -Force; return 'killed' }
                Start-Sleep -Milliseconds 10
            }
            'not killed'
        }
        $output = [System.Collections.Generic.List[object]]::new()
        $terminating = $null

        # -MaxRetry 1: a request that cannot reach Graph is tried twice, so the stop comes after one back-off, not three.
        try {
            Import-Csv -Path $csv | New-ProfilePosition -MaxRetry 1 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue | ForEach-Object { $output.Add($_) }
        }
        catch {
            $terminating = $_
        }

        Receive-Job -Job $killer -Wait -AutoRemoveJob | Should -Be 'killed'
        $terminating | Should -Not -BeNullOrEmpty -Because "an endpoint that cannot be reached stops the run with a terminating error (summary: $($summary | Out-String -Width 200); errors: $(@($failures | Select-Object -First 3 | ForEach-Object { $_.FullyQualifiedErrorId + " " + $_.Exception.Message }) -join " // "))"
        $terminating.FullyQualifiedErrorId | Should -BeLike 'GraphUnreachable,*'
        $terminating.Exception.Message | Should -Match 'Stopped at row (\d+)'
        $stoppedAt = [int] ([regex]::Match($terminating.Exception.Message, 'Stopped at row (\d+)').Groups[1].Value)
        $stoppedAt | Should -BeGreaterThan 0
        $stoppedAt | Should -BeLessOrEqual $rows.Count
        $terminating.Exception.Message | Should -Match '-SkipExisting'
        # (-ErrorVariable also holds the terminating error, as an ErrorRecord and as the exception that stopped the pipeline.)
        $records = @($failures | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $nonTerminating = @($records | Where-Object { $_.FullyQualifiedErrorId -notlike 'GraphUnreachable,*' })
        @($records | Where-Object { $_.FullyQualifiedErrorId -like 'GraphUnreachable,*' } | ForEach-Object { $_.Exception.Message } | Sort-Object -Unique).Count | Should -BeLessOrEqual 1 -Because 'there is one terminating error'
        # Every row before the one it stopped at has its one outcome, written in input order; the stop row has the terminating error.
        ($output.Count + $nonTerminating.Count + 1) | Should -Be $stoppedAt -Because 'rows 1 to the stop row each have exactly one outcome (output, error, or the terminating error)'
        $seen = @($output | ForEach-Object { $_.Detail.JobTitle }) + @($nonTerminating | ForEach-Object { $_.TargetObject.JobTitle }) + @($terminating.TargetObject.JobTitle)
        (@($seen | Sort-Object) -join '|') | Should -Be (@($rows[0..($stoppedAt - 1)].JobTitle | Sort-Object) -join '|') -Because 'those outcomes are for rows 1 to the stop row, one each'
        $summary.Stopped | Should -BeTrue
        $summary.Items | Should -BeLessOrEqual $rows.Count
        $summary.Items | Should -BeGreaterOrEqual $stoppedAt
        ($summary.Created + $summary.Skipped + $summary.Failed + $summary.NotSent + $summary.Unknown) | Should -Be $summary.Items -Because 'the summary counts add up'
        $summary.Created | Should -BeGreaterOrEqual $output.Count
        $summary.Failed | Should -BeGreaterOrEqual ($nonTerminating.Count + 1)

        $script:second17 = Start-FaultSandbox -Seed $script:seed -ExtraArgs '--data', $script:dataFile
        Set-SandboxPenalty -Sandbox $script:second17
        $userMap = Get-UserIdMap -Sandbox $script:second17
        $persisted = @(Get-TaggedPosition -Sandbox $script:second17 -Tag $tag)
        $persisted.Count | Should -BeLessThan $rows.Count -Because 'the sandbox was killed in the middle of the run'
        @($persisted | Group-Object Key | Where-Object Count -GT 1) | Should -BeNullOrEmpty -Because 'nothing was created twice before the kill'
        $persistedIds = @($persisted.Id)
        foreach ($position in $output) { $persistedIds | Should -Contain $position.Id -Because 'a position reported created was written to the data file' }
        $persistedTitles = @($persisted.JobTitle)
        $falseClaims = @($nonTerminating | Where-Object { $persistedTitles -contains $_.TargetObject.JobTitle -and $_.Exception.Message -notmatch 'may or may not' } | ForEach-Object { "$($_.TargetObject.JobTitle): $($_.Exception.Message)" })
        $falseClaims | Should -BeNullOrEmpty -Because 'an error for a row that was in fact created says the outcome is unknown'

        $null = Connect-TestSandbox -Sandbox $script:second17 -User $script:adele.userPrincipalName
        $rerun = @(Import-Csv -Path $csv | New-ProfilePosition -SkipExisting -SummaryVariable rerunSummary -ErrorVariable rerunFailures -ErrorAction SilentlyContinue)

        $rerunOutcome = Assert-RunOutcome -Rows $rows -Output $rerun -Errors $rerunFailures -Summary $rerunSummary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $rerunOutcome.Failed | Should -BeNullOrEmpty
        $rerunSummary.Skipped | Should -Be $persisted.Count -Because 'the rows created before the kill are skipped'
        $rerunSummary.Created | Should -Be ($rows.Count - $persisted.Count)
        $final = Assert-CreatedState -Sandbox $script:second17 -Tag $tag -Outcome $rerunOutcome -Output $rerun -UserMap $userMap
        $final.Count | Should -Be $rows.Count
        Assert-NoViolation -Sandbox $script:second17 -RaceAllowanceMs $script:raceAllowanceMs
    }
}

Describe '18. Latency and Ctrl+C' {
    BeforeAll {
        $script:slow = Start-FaultSandbox -Seed $script:seed -ExtraArgs '--latency-ms', '100-300'
        $script:slowUsers = Get-UserIdMap -Sandbox $script:slow
    }
    AfterAll {
        Stop-TestSandbox -Sandbox $script:slow
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    }

    It 'Stop() ends the sending at once; the summary says stopped and adds up; a rerun with -SkipExisting converges' {
        Initialize-FaultSandbox -Sandbox $script:slow
        $tag = New-Tag 'S18'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id, $script:lee.id, $script:innocenty.id, $script:patrick.id, $script:service.id, $script:alex.id -Count 120)
        $csv = Export-FaultCsv -Rows $rows -Path (Join-Path $TestDrive 's18.csv')
        $token = Get-TestToken -Sandbox $script:slow -User $script:adele.userPrincipalName
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($module, $token, $uri, $csv)
                    Import-Module $module
                    $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -GraphEndpoint $uri
                    Import-Csv -Path $csv | New-ProfilePosition -ThrottleLimit 2 -SummaryVariable s
                }).AddArgument($script:modulePath).AddArgument($token).AddArgument($script:slow.BaseUri).AddArgument($csv)
            $noInput = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $noInput.Complete()
            $received = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $handle = $shell.BeginInvoke($noInput, $received)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@(Get-GraphRequest -Sandbox $script:slow | Where-Object method -EQ 'POST').Count -lt 20 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $handle.IsCompleted | Should -BeFalse -Because 'the run is still going when it is stopped'

            $watch = [Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            $stoppedAt = [DateTime]::UtcNow
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5 -Because 'Ctrl+C stops the command at once'

            Start-Sleep -Milliseconds 1000
            $settled = @(Get-SandboxJournal -Sandbox $script:slow).Count
            Start-Sleep -Milliseconds 2000
            @(Get-SandboxJournal -Sandbox $script:slow).Count | Should -Be $settled -Because 'nothing is sent after the stop'
            $late = @(Get-GraphRequest -Sandbox $script:slow -IncludeEnvelope | Where-Object { ($_.time.ToUniversalTime() - $stoppedAt).TotalSeconds -gt 1.0 })
            $late | Should -BeNullOrEmpty -Because 'the journal stays still after the stop'

            $s = $shell.Runspace.SessionStateProxy.GetVariable('s')
            $s | Should -Not -BeNullOrEmpty -Because '-SummaryVariable is set also when the run is stopped'
            $s.Stopped | Should -BeTrue
            $s.Items | Should -BeLessOrEqual $rows.Count
            ($s.Created + $s.Skipped + $s.Failed + $s.NotSent + $s.Unknown) | Should -Be $s.Items -Because 'the counts add up'
            $s.Created | Should -BeGreaterOrEqual $received.Count -Because 'every position written out was created (some created may not have been written before the stop)'
            # The summary claims no more settled rows than could have been sent, and leaves the rest unsettled or not sent.
            $sentAtMost = $s.Envelopes * 20 + ($s.Requests - $s.Envelopes)
            ($s.Created + $s.Failed + $s.Skipped) | Should -BeLessOrEqual $sentAtMost -Because "at most $sentAtMost items were sent ($($s.Requests) requests, $($s.Envelopes) envelopes)"
            ($s.Unknown + $s.NotSent) | Should -BeGreaterOrEqual ($s.Items - $sentAtMost) -Because 'rows that were never sent cannot have been settled'

            $stored = @(Get-TaggedPosition -Sandbox $script:slow -Tag $tag)
            @($stored | Group-Object Key | Where-Object Count -GT 1) | Should -BeNullOrEmpty
            $stored.Count | Should -BeGreaterOrEqual $s.Created
            $storedIds = @($stored.Id)
            foreach ($position in $received) { $storedIds | Should -Contain $position.Id }
        }
        finally {
            $shell.Dispose()
        }

        $null = Connect-TestSandbox -Sandbox $script:slow -User $script:adele.userPrincipalName
        $rerun = @(Import-Csv -Path $csv | New-ProfilePosition -SkipExisting -SummaryVariable rerunSummary -ErrorVariable rerunFailures -ErrorAction SilentlyContinue)

        $rerunOutcome = Assert-RunOutcome -Rows $rows -Output $rerun -Errors $rerunFailures -Summary $rerunSummary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        $rerunOutcome.Failed | Should -BeNullOrEmpty
        $rerunSummary.Skipped | Should -Be $stored.Count
        $final = Assert-CreatedState -Sandbox $script:slow -Tag $tag -Outcome $rerunOutcome -Output $rerun -UserMap $script:slowUsers
        $final.Count | Should -Be $rows.Count
        Assert-NoViolation -Sandbox $script:slow -RaceAllowanceMs $script:raceAllowanceMs
    }
}

Describe '19. Seed sweep, seed <Seed>: <Rows> positions over <UserCount> users at about 20 % mixed faults' -ForEach $sweepCases {
    BeforeAll {
        $script:sweepData = Join-Path $TestDrive "sweep-$Seed.json"
        $script:sweepUsers = @(New-SweepDataFile -Path $script:sweepData -UserCount $UserCount)
        $script:sweep = Start-FaultSandbox -Seed $Seed -ExtraArgs '--data', $script:sweepData
        Set-SandboxPenalty -Sandbox $script:sweep
        $null = Connect-TestSandbox -Sandbox $script:sweep -User 'adele.vance@contoso.com'
        $script:sweepMap = Get-UserIdMap -Sandbox $script:sweep
        $script:sweepTag = "Sweep $Seed"
        $script:sweepRows = @(0..($Rows - 1) | ForEach-Object {
                [pscustomobject]@{ UserId = $script:sweepUsers[$_ % $script:sweepUsers.Count].id; JobTitle = "Sweep $Seed #$_"; CompanyName = $script:sweepTag; StartMonthYear = '2021-{0:D2}' -f (($_ % 12) + 1) }
            })
        $script:sweepCsv = Export-FaultCsv -Rows $script:sweepRows -Path (Join-Path $TestDrive "sweep-$Seed.csv")

        # Runs one phase under the fault profile: journal cleared, rules on, the command, rules off; the violations it added.
        function Invoke-SweepPhase([scriptblock] $Command) {
            Clear-SandboxJournal -Sandbox $script:sweep
            $null = Add-SandboxFault -Sandbox $script:sweep -Rule @(Get-SweepFaultRule)
            try { $result = & $Command }
            finally { Clear-SandboxFault -Sandbox $script:sweep }
            $result.Violations = Get-LateViolationCount -Sandbox $script:sweep -RaceAllowanceMs $script:raceAllowanceMs
            $result.ViolationReport = Get-ViolationSummary -Sandbox $script:sweep -RaceAllowanceMs $script:raceAllowanceMs
            $result
        }
    }
    AfterAll { Stop-TestSandbox -Sandbox $script:sweep }

    Context 'New-ProfilePosition (seed <Seed>)' {
        BeforeAll {
            $script:newPhase = Invoke-SweepPhase {
                $output = @(Import-Csv -Path $script:sweepCsv | New-ProfilePosition -TimeoutSec 2 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)
                @{ Output = $output; Errors = @($failures); Summary = $summary }
            }
        }

        It 'every row has exactly one outcome and the summary adds up (seed <Seed>)' {
            $script:newOutcome = Assert-RunOutcome -Rows $script:sweepRows -Output $script:newPhase.Output -Errors $script:newPhase.Errors -Summary $script:newPhase.Summary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
        }

        It 'the state is the rows reported created, once each, and no error for a create that was applied (seed <Seed>)' {
            $outcome = Assert-RunOutcome -Rows $script:sweepRows -Output $script:newPhase.Output -Errors $script:newPhase.Errors -Summary $script:newPhase.Summary -RowKey $script:byTitle
            $null = Assert-CreatedState -Sandbox $script:sweep -Tag $script:sweepTag -Outcome $outcome -Output $script:newPhase.Output -UserMap $script:sweepMap
        }

        It 'zero Retry-After violations (seed <Seed>)' {
            $script:newPhase.Violations | Should -Be 0 -Because "no request may arrive inside an advertised Retry-After window ($($script:newPhase.ViolationReport))"
        }

        It 'a rerun with -SkipExisting and no faults creates only what is missing and converges (seed <Seed>)' {
            $missing = $Rows - @(Get-TaggedPosition -Sandbox $script:sweep -Tag $script:sweepTag).Count
            $rerun = @(Import-Csv -Path $script:sweepCsv | New-ProfilePosition -SkipExisting -SummaryVariable rerunSummary -ErrorVariable rerunFailures -ErrorAction SilentlyContinue)
            $outcome = Assert-RunOutcome -Rows $script:sweepRows -Output $rerun -Errors $rerunFailures -Summary $rerunSummary -RowKey $script:byTitle -OutputKey $script:byOutputTitle
            $outcome.Failed | Should -BeNullOrEmpty
            $rerunSummary.Created | Should -Be $missing
            $final = Assert-CreatedState -Sandbox $script:sweep -Tag $script:sweepTag -Outcome $outcome -Output $rerun -UserMap $script:sweepMap
            $final.Count | Should -Be $Rows
        }
    }

    Context 'Update-ProfilePosition (seed <Seed>)' {
        BeforeAll {
            $script:updateBefore = @(Get-TaggedPosition -Sandbox $script:sweep -Tag $script:sweepTag)
            $script:updateRows = @($script:updateBefore | ForEach-Object { [pscustomobject]@{ UserId = $_.UserId; Id = $_.Id; JobTitle = "$($_.JobTitle) v2" } })
            $script:updateCsv = Export-FaultCsv -Rows $script:updateRows -Path (Join-Path $TestDrive "sweep-$Seed-update.csv")
            $script:updatePhase = Invoke-SweepPhase {
                $output = @(Import-Csv -Path $script:updateCsv | Update-ProfilePosition -TimeoutSec 2 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)
                @{ Output = $output; Errors = @($failures); Summary = $summary }
            }
        }

        It 'every position of the sweep is updated by one row (seed <Seed>)' {
            $script:updateRows.Count | Should -Be $Rows
        }

        It 'every row has exactly one outcome and the summary adds up (seed <Seed>)' {
            $null = Assert-RunOutcome -Rows $script:updateRows -Output $script:updatePhase.Output -Errors $script:updatePhase.Errors -Summary $script:updatePhase.Summary -RowKey $script:byId -OutputKey $script:byOutputId -Outcome Updated
        }

        It 'the state is right and no error for an update that was applied (seed <Seed>)' {
            $outcome = Assert-RunOutcome -Rows $script:updateRows -Output $script:updatePhase.Output -Errors $script:updatePhase.Errors -Summary $script:updatePhase.Summary -RowKey $script:byId -Outcome Updated
            Assert-UpdatedState -Sandbox $script:sweep -Tag $script:sweepTag -Before $script:updateBefore -Outcome $outcome
        }

        It 'zero Retry-After violations (seed <Seed>)' {
            $script:updatePhase.Violations | Should -Be 0 -Because "no request may arrive inside an advertised Retry-After window ($($script:updatePhase.ViolationReport))"
        }

        It 'the failed rows sent again without faults converge: every position carries its new title (seed <Seed>)' {
            $failedIds = @($script:updatePhase.Errors | ForEach-Object { $_.TargetObject.Id })
            if ($failedIds.Count -gt 0) {
                $again = @($script:updateRows | Where-Object { $failedIds -contains $_.Id })
                $null = @($again | Update-ProfilePosition -SummaryVariable againSummary -ErrorVariable againFailures -ErrorAction SilentlyContinue)
                @($againFailures) | Should -BeNullOrEmpty
            }
            $now = @{}
            foreach ($position in Get-TaggedPosition -Sandbox $script:sweep -Tag $script:sweepTag) { $now[$position.Id] = $position.JobTitle }
            $now.Count | Should -Be $Rows
            @($script:updateRows | Where-Object { $now[$_.Id] -cne $_.JobTitle }) | Should -BeNullOrEmpty
        }
    }

    Context 'Remove-ProfilePosition (seed <Seed>)' {
        BeforeAll {
            $script:removeBefore = @(Get-TaggedPosition -Sandbox $script:sweep -Tag $script:sweepTag)
            $script:removeRows = @($script:removeBefore | ForEach-Object { [pscustomobject]@{ UserId = $_.UserId; Id = $_.Id } })
            $script:removeCsv = Export-FaultCsv -Rows $script:removeRows -Path (Join-Path $TestDrive "sweep-$Seed-remove.csv")
            $script:removePhase = Invoke-SweepPhase {
                $output = @(Import-Csv -Path $script:removeCsv | Remove-ProfilePosition -PassThru -TimeoutSec 2 -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)
                @{ Output = $output; Errors = @($failures); Summary = $summary }
            }
        }

        It 'every row has exactly one outcome and the summary adds up (seed <Seed>)' {
            $null = Assert-RunOutcome -Rows $script:removeRows -Output $script:removePhase.Output -Errors $script:removePhase.Errors -Summary $script:removePhase.Summary -RowKey $script:byId -Outcome Removed
        }

        It 'the state is right and no error for a delete that was applied (seed <Seed>)' {
            $outcome = Assert-RunOutcome -Rows $script:removeRows -Output $script:removePhase.Output -Errors $script:removePhase.Errors -Summary $script:removePhase.Summary -RowKey $script:byId -Outcome Removed
            Assert-RemovedState -Sandbox $script:sweep -Tag $script:sweepTag -Before $script:removeBefore -Outcome $outcome
        }

        It 'zero Retry-After violations (seed <Seed>)' {
            $script:removePhase.Violations | Should -Be 0 -Because "no request may arrive inside an advertised Retry-After window ($($script:removePhase.ViolationReport))"
        }

        It 'the failed rows sent again without faults converge: nothing of the sweep is left (seed <Seed>)' {
            $failedIds = @($script:removePhase.Errors | ForEach-Object { $_.TargetObject.Id })
            if ($failedIds.Count -gt 0) {
                $again = @($script:removeRows | Where-Object { $failedIds -contains $_.Id })
                $null = @($again | Remove-ProfilePosition -SummaryVariable againSummary -ErrorVariable againFailures -ErrorAction SilentlyContinue)
                @($againFailures | Where-Object { $_.Exception.StatusCode -ne 404 } | ForEach-Object { $_.Exception.Message }) | Should -BeNullOrEmpty
            }
            @(Get-TaggedPosition -Sandbox $script:sweep -Tag $script:sweepTag) | Should -BeNullOrEmpty
        }
    }
}

Describe '20. One user addressed by object id, by UPN and as /me' {
    It 'the signed-in user in all three forms, one -SkipExisting run with a fault after a commit: identical rows make one position' {
        Initialize-FaultSandbox -Sandbox $script:sandbox -User $script:megan.userPrincipalName
        $tag = New-Tag 'S20 me'
        $forms = @($script:megan.id, $script:megan.userPrincipalName, 'me')
        $rows = @(foreach ($number in 1..3) { foreach ($form in $forms) { [pscustomobject]@{ UserId = $form; JobTitle = "$tag #$number"; CompanyName = $tag } } })
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; path = '/profile/positions$'; nth = 1; status = 503; retryAfter = '0.2'; commit = 'after' }

        $output = @($rows | New-ProfilePosition @script:oneInFlight -SkipExisting -SummaryVariable summary -ErrorVariable failures -ErrorAction SilentlyContinue)

        $outcome = Assert-RunOutcome -Rows $rows -Output $output -Errors $failures -Summary $summary -RowKey { param($row) "$($row.UserId)|$($row.JobTitle)" }
        $outcome.Failed | Should -BeNullOrEmpty
        $stored = @(Get-TaggedPosition -Sandbox $script:sandbox -Tag $tag)
        @($stored.JobTitle | Sort-Object) | Should -Be @("$tag #1", "$tag #2", "$tag #3") -Because 'one profile, one position per job title'
        @($stored.UserId | Sort-Object -Unique) | Should -Be @($script:megan.id)
        $summary.Created | Should -Be 3
        $summary.Skipped | Should -Be 6
        foreach ($number in 1..3) {
            @($output | Where-Object { $_.Detail.JobTitle -eq "$tag #$number" } | ForEach-Object Id | Sort-Object -Unique).Count | Should -Be 1 -Because 'the three forms of one row name one position'
        }
        Assert-NoViolation -Sandbox $script:sandbox
    }

    It 'a rerun in another form finds everything: no create is sent' {
        Initialize-FaultSandbox -Sandbox $script:sandbox -User $script:megan.userPrincipalName
        $tag = New-Tag 'S20 rerun'
        $rows = @(New-FaultRow -Tag $tag -UserId $script:megan.id -Count 3)
        $created = @($rows | New-ProfilePosition)
        $created.Count | Should -Be 3
        foreach ($form in $script:megan.userPrincipalName, 'me') {
            Clear-SandboxJournal -Sandbox $script:sandbox
            $again = @($rows | ForEach-Object { $_.UserId = $form; $_ } | New-ProfilePosition -SkipExisting -SummaryVariable summary)
            $summary.Skipped | Should -Be 3 -Because "the positions are found when the user is given as '$form'"
            @($again.Id) | Should -Be @($created.Id)
            @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST') | Should -BeNullOrEmpty
        }
        @(Get-TaggedPosition -Sandbox $script:sandbox -Tag $tag).Count | Should -Be 3
        Assert-NoViolation -Sandbox $script:sandbox -RaceAllowanceMs $script:raceAllowanceMs
    }
}
