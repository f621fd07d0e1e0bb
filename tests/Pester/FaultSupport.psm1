<#
    Helpers for Faults.Tests.ps1 (the fault-injection scenarios of sandbox-and-faults.md, section 5): sandboxes
    started for fault runs (seeded, batch responses shuffled, penalty mode on), the positions a run left behind, the
    attempts the journal shows for one row, and the invariants every scenario checks afterwards:

      - the final state is the intended set: compared by natural key (user and job title), no duplicates, none missing;
      - every input row has exactly one outcome (one output object or one error), in input order, and the
        -SummaryVariable counts add up to the number of rows;
      - no error for a write that was applied (an error for a row whose write is in the state is allowed only when it
        says the outcome is unknown);
      - no request inside an advertised Retry-After window (penalty mode's violations = 0).

    Builds on TestSupport.psm1 (imported first by the test file).
#>

Set-StrictMode -Version 3.0

# What an error says when the module does not know whether the write was applied ("... so the position may or may not
# exist now"). "Its outcome was unknown each time; ... none matches, so nothing was created" is a claim, not this.
$script:UnknownOutcomePattern = 'may or may not'

function Start-FaultSandbox {
    <#
    .SYNOPSIS
        Starts a sandbox for fault runs: --seed <Seed>, --shuffle-batch (unless -NoShuffle) and any -ExtraArgs.
        The seed is kept on the object (Seed) so a failing run names it.
    #>
    [CmdletBinding()]
    param(
        [int] $Seed = 1,
        [string[]] $ExtraArgs = @(),
        [switch] $NoShuffle
    )
    $arguments = @('--seed', "$Seed")
    if (-not $NoShuffle) { $arguments += '--shuffle-batch' }
    # Start-ProfileGraphSandbox's object carries the seed the sandbox reports (Seed).
    Start-TestSandbox -ExtraArgs ($arguments + $ExtraArgs)
}

function Set-SandboxPenalty {
    <# Penalty mode on or off (POST /_sandbox/penalty): requests inside an advertised Retry-After get 429 and count as violations. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [bool] $Enabled = $true)
    $body = ConvertTo-Json -InputObject @{ enabled = $Enabled } -Compress
    $null = Invoke-RestMethod -Method Post -Uri "$($Sandbox.BaseUri)/_sandbox/penalty" -Body $body -ContentType 'application/json'
}

function Get-SandboxStats {
    <# GET /_sandbox/stats: throttle, throttled, penalty, violations. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-RestMethod -Uri "$($Sandbox.BaseUri)/_sandbox/stats"
}

function Initialize-FaultSandbox {
    <#
    .SYNOPSIS
        Before a scenario: the demo tenant back (state, fault rules, journal, violations), penalty mode on (unless
        -NoPenalty), and a fresh connection as -User. A reset restarts the seeded id sequence, and a connection
        remembers the ids it created or reconciled, so a connection from before the reset could mistake a new position
        for one of its own; each scenario therefore connects anew.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [string] $User = 'adele.vance@contoso.com',
        [string[]] $Scopes = @('User.ReadWrite.All'),
        [switch] $NoPenalty
    )
    Reset-Sandbox -Sandbox $Sandbox
    if (-not $NoPenalty) { Set-SandboxPenalty -Sandbox $Sandbox -Enabled $true }
    $null = Connect-TestSandbox -Sandbox $Sandbox -User $User -Scopes $Scopes
}

function New-FaultRow {
    <#
    .SYNOPSIS
        Rows as an HR export has them: UserId, JobTitle ("<Tag> #<n>", the natural key), CompanyName (the tag, so a
        scenario's positions can be told apart) and StartMonthYear. Users are used in turn.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Tag,
        [Parameter(Mandatory)] [string[]] $UserId,
        [int] $Count = 3,
        [int] $First = 1
    )
    for ($number = $First; $number -lt $First + $Count; $number++) {
        [pscustomobject]@{
            UserId         = $UserId[($number - $First) % $UserId.Count]
            JobTitle       = "$Tag #$number"
            CompanyName    = $Tag
            StartMonthYear = '2020-{0:D2}' -f ((($number - 1) % 12) + 1)
        }
    }
}

function Export-FaultCsv {
    <# Writes rows to a CSV file (as an HR system would hand it over) and returns its path. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [object[]] $Rows, [Parameter(Mandatory)] [string] $Path)
    $Rows | Export-Csv -Path $Path -NoTypeInformation -Encoding utf8
    $Path
}

function Get-UserIdMap {
    <# Every demo user's object id by object id and by UPN (case-insensitive), to compare rows with the state. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    $map = [System.Collections.Generic.Dictionary[string, string]]::new([System.StringComparer]::OrdinalIgnoreCase)
    foreach ($user in Get-SandboxUsers -Sandbox $Sandbox) {
        $map[$user.id] = $user.id
        $map[$user.userPrincipalName] = $user.id
    }
    $map
}

function Get-TaggedPosition {
    <#
    .SYNOPSIS
        The positions the sandbox holds (GET /_sandbox/state) whose company is -Tag, flattened:
        UserId (object id), Id, JobTitle, Key ("<UserId>|<JobTitle>"), Position.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Tag)
    $state = Get-SandboxState -Sandbox $Sandbox
    foreach ($user in $state.positions.PSObject.Properties) {
        foreach ($position in @($user.Value)) {
            $company = $position.detail.company
            if ($null -ne $company -and $company.displayName -ceq $Tag) {
                [pscustomobject]@{
                    UserId   = $user.Name
                    Id       = $position.id
                    JobTitle = $position.detail.jobTitle
                    Key      = "$($user.Name)|$($position.detail.jobTitle)"
                    Position = $position
                }
            }
        }
    }
}

function Get-RowAttempt {
    <#
    .SYNOPSIS
        The journal entries (plain requests and $batch items) for one row: -Method with a body whose job title is
        -JobTitle, or whose path ends in -PositionId. Oldest first.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [object[]] $Journal,
        [string] $Method = 'POST',
        [string] $JobTitle,
        [string] $PositionId
    )
    @($Journal | Where-Object { $_.method -eq $Method -and $_.path -notlike '*/$batch' } | Where-Object {
            if ($PositionId) { return $_.path -like "*/$PositionId" }
            if (-not $_.body) { return $false }
            $json = ConvertFrom-Json -InputObject $_.body -AsHashtable
            $json.ContainsKey('detail') -and $json.detail -and $json.detail['jobTitle'] -ceq $JobTitle
        } | Sort-Object seq)
}

function Get-EnvelopeRequest {
    <# The $batch envelopes in the journal, each with its parsed requests (Requests) and its items' journal entries (Items). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [object[]] $Journal)
    $items = @($Journal | Where-Object { $null -ne $_.batchId })
    foreach ($envelope in @($Journal | Where-Object { $_.path -like '*/$batch' } | Sort-Object seq)) {
        $parsed = if ($envelope.body) { ConvertFrom-Json -InputObject $envelope.body -AsHashtable } else { $null }
        [pscustomobject]@{
            Seq      = $envelope.seq
            Time     = $envelope.time
            Status   = $envelope.status
            Fault    = $envelope.fault
            Requests = if ($parsed) { @($parsed.requests) } else { @() }
            Items    = @($items | Where-Object { $_.batchId -eq $envelope.seq })
        }
    }
}

function Get-ViolationReport {
    <#
    .SYNOPSIS
        One object per penalty 429 in the journal: Line (what arrived, how long before the window ended, and when
        relative to the answer that opened the window: a plain answer with a Retry-After, or the envelope whose items
        carried one; penalty answers do not extend a window) and OnItsWay ($true when the request reached the sandbox
        before that answer was even produced, so no client could have known: the journal numbers requests as they
        arrive and batch items as they finish).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [int] $RaceAllowanceMs = 0)
    $journal = @(Get-SandboxJournal -Sandbox $Sandbox | Where-Object { $_.path -notlike '/_sandbox*' } | Sort-Object seq)
    $bySeq = @{}
    $lastItem = @{}
    $lastItemTime = @{}
    foreach ($entry in $journal) {
        $bySeq[[long] $entry.seq] = $entry
        if ($null -ne $entry.batchId) {
            $lastItem[[long] $entry.batchId] = [Math]::Max([long] $entry.seq, [long] ($lastItem[[long] $entry.batchId] ?? 0))
            if (-not $lastItemTime.ContainsKey([long] $entry.batchId) -or $lastItemTime[[long] $entry.batchId] -lt $entry.time) { $lastItemTime[[long] $entry.batchId] = $entry.time }
        }
    }
    $openers = @(foreach ($entry in $journal) {
            if ($entry.fault -and $entry.fault -notlike 'penalty*' -and $entry.fault -match 'Retry-After') {
                $isItem = $null -ne $entry.batchId -and $bySeq.ContainsKey([long] $entry.batchId)
                $answer = if ($isItem) { $bySeq[[long] $entry.batchId] } else { $entry }
                # Numbers handed out after this are for requests that arrived after the answer was produced.
                $producedAfter = if ($isItem) { $lastItem[[long] $answer.seq] } else { [long] $entry.seq }
                # An envelope is answered when its last item has finished.
                $producedAt = if ($isItem) { $lastItemTime[[long] $answer.seq] } else { $entry.time }
                [pscustomobject]@{ Time = $answer.time; Seq = $answer.seq; Fault = $entry.fault; ProducedAfter = $producedAfter; ProducedAt = $producedAt; Caller = $entry.caller }
            }
        })
    foreach ($entry in @($journal | Where-Object { $_.fault -like 'penalty*' })) {
        # Windows are per caller (the token's user).
        $opener = @($openers | Where-Object { $_.Time -le $entry.time -and $_.Caller -eq $entry.caller } | Sort-Object Time) | Select-Object -Last 1
        $onItsWay = $null -ne $opener -and [long] $entry.seq -lt $opener.ProducedAfter
        $afterMs = if ($opener) { ($entry.time - $opener.ProducedAt).TotalMilliseconds } else { [double]::MaxValue }
        # Within the allowance of the answer being produced, the request was on its way or being sent while the answer
        # was still travelling and being read: the sandbox cannot tell which, so only later ones count against the client.
        $racing = -not $onItsWay -and $afterMs -lt $RaceAllowanceMs
        $when = if (-not $opener) { 'no earlier Retry-After in the journal' }
        elseif ($onItsWay) { 'it arrived before the answer seq {0} ({1}) was produced' -f $opener.Seq, $opener.Fault }
        else { 'judged {0:0} ms after the answer seq {1} ({2}) was produced' -f $afterMs, $opener.Seq, $opener.Fault }
        [pscustomobject]@{ Line = 'seq {0} {1} {2}: {3}; {4}' -f $entry.seq, $entry.method, $entry.path, $entry.fault, $when; OnItsWay = $onItsWay; Racing = $racing }
    }
}

function Get-ViolationSummary {
    <#
    .SYNOPSIS
        The violations for a failure message: how many reached the sandbox before the answer that opened their window was
        produced (on their way already; only fewer requests in flight avoid those) and how many after it, then the lines.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [int] $RaceAllowanceMs = 0)
    $report = @(Get-ViolationReport -Sandbox $Sandbox -RaceAllowanceMs $RaceAllowanceMs)
    $early = @($report | Where-Object OnItsWay).Count
    $racing = @($report | Where-Object Racing).Count
    '{0} arrived before the answer that opened the window was produced, {1} less than {2} ms after it, {3} later; journal: {4}' -f $early, $racing, $RaceAllowanceMs, ($report.Count - $early - $racing), (($report | ForEach-Object Line) -join '; ')
}

function Get-LateViolationCount {
    <# The violations that arrived after the allowance: the client had the Retry-After and came back anyway. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [int] $RaceAllowanceMs = 0)
    @(Get-ViolationReport -Sandbox $Sandbox -RaceAllowanceMs $RaceAllowanceMs | Where-Object { -not $_.OnItsWay -and -not $_.Racing }).Count
}

function Assert-NoViolation {
    <#
    .SYNOPSIS
        Penalty mode counted no request inside an advertised Retry-After window. With -RaceAllowanceMs (runs with several
        requests in flight), requests that reached the sandbox before, or less than that long after, the answer that
        opened the window was produced are not held against the client: they were on their way while it travelled.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [string] $Because = 'no request may arrive inside an advertised Retry-After window', [int] $RaceAllowanceMs = 0)
    $stats = Get-SandboxStats -Sandbox $Sandbox
    $stats.penalty | Should -BeTrue -Because 'penalty mode must be on for violations to be counted'
    if ($stats.violations -ne 0) {
        $late = if ($RaceAllowanceMs -gt 0) { Get-LateViolationCount -Sandbox $Sandbox -RaceAllowanceMs $RaceAllowanceMs } else { $stats.violations }
        $late | Should -Be 0 -Because "$Because ($(Get-ViolationSummary -Sandbox $Sandbox -RaceAllowanceMs $RaceAllowanceMs))"
    }
}

function Get-ErrorRow {
    <# The row an error is about: its TargetObject is the piped object itself. #>
    param($ErrorRecord)
    $ErrorRecord.TargetObject
}

function Assert-RunOutcome {
    <#
    .SYNOPSIS
        Every row has exactly one outcome: one output object or one error, never both, never none; outputs come in input
        order; and the summary's counts add up to the number of rows. Returns @{ Succeeded = rows; Failed = rows;
        ErrorByKey = @{ key = error } }.
    .PARAMETER RowKey
        The natural key of a row (and of an error's TargetObject).
    .PARAMETER OutputKey
        The key an output object carries (none for Remove's $true).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Rows,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [AllowNull()] [object[]] $Output,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [AllowNull()] [object[]] $Errors,
        [Parameter(Mandatory)] [AllowNull()] $Summary,
        [Parameter(Mandatory)] [scriptblock] $RowKey,
        [scriptblock] $OutputKey,
        [ValidateSet('Created', 'Updated', 'Removed')] [string] $Outcome = 'Created'
    )
    $Output = @($Output | Where-Object { $null -ne $_ })
    $Errors = @($Errors | Where-Object { $null -ne $_ })
    $rowKeys = @($Rows | ForEach-Object { & $RowKey $_ })
    @($rowKeys | Group-Object | Where-Object Count -GT 1).Count | Should -Be 0 -Because 'the scenario needs a unique natural key per row'
    $known = [System.Collections.Generic.HashSet[string]]::new([string[]] $rowKeys, [System.StringComparer]::Ordinal)

    $errorByKey = @{}
    foreach ($record in $Errors) {
        $row = Get-ErrorRow $record
        $row | Should -Not -BeNullOrEmpty -Because "every error names the row it is about ($($record.Exception.Message))"
        $key = & $RowKey $row
        $known.Contains($key) | Should -BeTrue -Because "an error must be about an input row, not '$key'"
        $errorByKey.ContainsKey($key) | Should -BeFalse -Because "row '$key' must not get two errors"
        $errorByKey[$key] = $record
    }

    $succeeded = @($Rows | Where-Object { -not $errorByKey.ContainsKey((& $RowKey $_)) })
    $failed = @($Rows | Where-Object { $errorByKey.ContainsKey((& $RowKey $_)) })
    ($Output.Count + $Errors.Count) | Should -Be $Rows.Count -Because 'every row has exactly one outcome: one output object or one error'
    if ($OutputKey) {
        $outputKeys = @($Output | ForEach-Object { & $OutputKey $_ })
        $expected = @($succeeded | ForEach-Object { & $RowKey $_ })
        ($outputKeys -join "`n") | Should -BeExactly ($expected -join "`n") -Because 'each row that did not fail has one output object, in input order'
    }

    $Summary | Should -Not -BeNullOrEmpty -Because '-SummaryVariable is set at the end of every run'
    $Summary | Should -BeOfType ([ProfilePositions.PositionRunSummary])
    $Summary.Items | Should -Be $Rows.Count -Because 'the summary counts every row read'
    $Summary.Stopped | Should -BeFalse
    $Summary.Failed | Should -Be $Errors.Count -Because 'the summary counts one failure per error'
    $Summary.NotSent | Should -Be 0
    $Summary.Unknown | Should -Be 0
    $Summary.$Outcome + $Summary.Skipped | Should -Be $Output.Count -Because "the summary counts one $($Outcome.ToLower()) or skipped row per output object"
    ($Summary.Created + $Summary.Updated + $Summary.Removed + $Summary.Skipped + $Summary.Failed + $Summary.NotSent + $Summary.Unknown) |
        Should -Be $Rows.Count -Because 'the summary counts add up to the number of rows'

    @{ Succeeded = $succeeded; Failed = $failed; ErrorByKey = $errorByKey }
}

function Assert-CreatedState {
    <#
    .SYNOPSIS
        After New-ProfilePosition: the positions tagged -Tag are exactly the rows that succeeded (natural key: user and
        job title), once each; nothing else; each output object is the stored position; a failed row is not in the
        state unless its error says the outcome is unknown. Returns the stored positions.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $Tag,
        [Parameter(Mandatory)] [hashtable] $Outcome,
        [AllowEmptyCollection()] [AllowNull()] [object[]] $Output = @(),
        [Parameter(Mandatory)] $UserMap
    )
    $stored = @(Get-TaggedPosition -Sandbox $Sandbox -Tag $Tag)
    $duplicates = @($stored | Group-Object Key | Where-Object Count -GT 1 | ForEach-Object { "$($_.Name) x$($_.Count)" })
    $duplicates | Should -BeNullOrEmpty -Because 'no row may be created twice'

    $byKey = @{}
    foreach ($position in $stored) { $byKey[$position.Key] = $position }
    $rowKey = { param($row) "$($UserMap[$row.UserId])|$($row.JobTitle)" }
    $missing = @($Outcome.Succeeded | Where-Object { -not $byKey.ContainsKey((& $rowKey $_)) } | ForEach-Object JobTitle)
    $missing | Should -BeNullOrEmpty -Because 'every row reported created must be in the state, on its own user'

    $intended = [System.Collections.Generic.HashSet[string]]::new([string[]] @($Outcome.Succeeded + $Outcome.Failed | ForEach-Object { & $rowKey $_ }), [System.StringComparer]::Ordinal)
    $strays = @($stored | Where-Object { -not $intended.Contains($_.Key) } | ForEach-Object Key)
    $strays | Should -BeNullOrEmpty -Because 'nothing but the rows may be created'

    $appliedButFailed = @($Outcome.Failed | Where-Object { $byKey.ContainsKey((& $rowKey $_)) } | ForEach-Object {
            $record = $Outcome.ErrorByKey[$_.JobTitle]
            if ($record.Exception.Message -notmatch $script:UnknownOutcomePattern) { "$($_.JobTitle): $($record.Exception.Message)" }
        })
    $appliedButFailed | Should -BeNullOrEmpty -Because 'no error may be written for a create that was applied (unless it says the outcome is unknown)'

    $ids = [System.Collections.Generic.HashSet[string]]::new([string[]] @($stored | ForEach-Object Id), [System.StringComparer]::Ordinal)
    $notStored = @($Output | Where-Object { $null -ne $_ -and -not $ids.Contains($_.Id) } | ForEach-Object { "$($_.Detail.JobTitle) ($($_.Id))" })
    $notStored | Should -BeNullOrEmpty -Because 'each output object is the position that was stored'
    $stored
}

function Assert-UpdatedState {
    <#
    .SYNOPSIS
        After Update-ProfilePosition: the tagged positions are the ones before (same ids, none added or lost), those of
        rows that succeeded carry the row's job title, those of failed rows the old one (unless the error says the
        outcome is unknown), and the rest are untouched.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $Tag,
        [Parameter(Mandatory)] [object[]] $Before,
        [Parameter(Mandatory)] [hashtable] $Outcome
    )
    $after = @(Get-TaggedPosition -Sandbox $Sandbox -Tag $Tag)
    (@($after.Id | Sort-Object) -join ',') | Should -Be (@($Before.Id | Sort-Object) -join ',') -Because 'an update neither adds nor loses positions'
    $now = @{}
    foreach ($position in $after) { $now[$position.Id] = $position.JobTitle }
    $old = @{}
    foreach ($position in $Before) { $old[$position.Id] = $position.JobTitle }

    $notApplied = @($Outcome.Succeeded | Where-Object { $now[$_.Id] -cne $_.JobTitle } | ForEach-Object { "$($_.Id): '$($now[$_.Id])' instead of '$($_.JobTitle)'" })
    $notApplied | Should -BeNullOrEmpty -Because 'every row reported updated must be applied'
    $appliedButFailed = @($Outcome.Failed | Where-Object { $now[$_.Id] -ceq $_.JobTitle -and $old[$_.Id] -cne $_.JobTitle } | ForEach-Object {
            $record = $Outcome.ErrorByKey[$_.Id]
            if ($record.Exception.Message -notmatch $script:UnknownOutcomePattern) { "$($_.Id): $($record.Exception.Message)" }
        })
    $appliedButFailed | Should -BeNullOrEmpty -Because 'no error may be written for an update that was applied (unless it says the outcome is unknown)'
    $touched = [System.Collections.Generic.HashSet[string]]::new([string[]] @($Outcome.Succeeded + $Outcome.Failed | ForEach-Object Id), [System.StringComparer]::Ordinal)
    $changed = @($Before | Where-Object { -not $touched.Contains($_.Id) -and $now[$_.Id] -cne $_.JobTitle } | ForEach-Object Id)
    $changed | Should -BeNullOrEmpty -Because 'positions no row names stay as they were'
}

function Assert-RemovedState {
    <#
    .SYNOPSIS
        After Remove-ProfilePosition: the positions of rows that succeeded are gone, those of failed rows are still
        there (unless the error says the outcome is unknown), and the rest are untouched.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $Tag,
        [Parameter(Mandatory)] [object[]] $Before,
        [Parameter(Mandatory)] [hashtable] $Outcome
    )
    $after = @(Get-TaggedPosition -Sandbox $Sandbox -Tag $Tag)
    $present = [System.Collections.Generic.HashSet[string]]::new([string[]] @($after | ForEach-Object Id), [System.StringComparer]::Ordinal)
    $left = @($Outcome.Succeeded | Where-Object { $present.Contains($_.Id) } | ForEach-Object Id)
    $left | Should -BeNullOrEmpty -Because 'every row reported removed must be gone'
    $appliedButFailed = @($Outcome.Failed | Where-Object { -not $present.Contains($_.Id) } | ForEach-Object {
            $record = $Outcome.ErrorByKey[$_.Id]
            if ($record.Exception.Message -notmatch $script:UnknownOutcomePattern) { "$($_.Id): $($record.Exception.Message)" }
        })
    $appliedButFailed | Should -BeNullOrEmpty -Because 'no error may be written for a delete that was applied (unless it says the outcome is unknown)'
    $named = [System.Collections.Generic.HashSet[string]]::new([string[]] @($Outcome.Succeeded + $Outcome.Failed | ForEach-Object Id), [System.StringComparer]::Ordinal)
    $lost = @($Before | Where-Object { -not $named.Contains($_.Id) -and -not $present.Contains($_.Id) } | ForEach-Object Id)
    $lost | Should -BeNullOrEmpty -Because 'positions no row names stay'
}

function New-SweepDataFile {
    <#
    .SYNOPSIS
        A --data file with the signed-in admin (Adele Vance, the demo tenant's id) and -UserCount users
        sweep.user<n>@contoso.com with fixed ids, no positions. Returns the users (without the admin).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Path, [int] $UserCount = 200)
    $admin = [ordered]@{ id = '3f0b4a5e-8d2c-4b71-9e6a-1c2d3e4f5a61'; userPrincipalName = 'adele.vance@contoso.com'; displayName = 'Adele Vance' }
    $users = @(1..$UserCount | ForEach-Object {
            [ordered]@{ id = ('00000000-0000-4000-8000-{0:D12}' -f $_); userPrincipalName = "sweep.user$_@contoso.com"; displayName = "Sweep User $_" }
        })
    ConvertTo-Json -InputObject ([ordered]@{ version = 1; users = @($admin) + $users; positions = @{} }) -Depth 5 | Set-Content -Path $Path -Encoding utf8
    $users | ForEach-Object { [pscustomobject]$_ }
}

function Get-SweepFaultRule {
    <#
    .SYNOPSIS
        The sweep's mixed fault profile, about 20 % of the requests and batch items hit: 429 in every Retry-After form
        (fraction, integer, HTTP-date, none), 5xx before and after the commit, reset/close/halfBody, a hang (the run
        uses a short -TimeoutSec), and envelope faults (503 and reset after the commit, 429 before). Rules are tried in
        order and each draws from the sandbox's seeded generator, so a seed replays the same decisions for the same
        request order.
    #>
    [CmdletBinding()]
    param()
    $httpDate = [DateTime]::UtcNow.AddSeconds(1).ToString('r', [Globalization.CultureInfo]::InvariantCulture)
    $item = @(
        @{ status = 429; retryAfter = '0.2'; probability = 0.004 }
        @{ status = 429; retryAfter = '1'; probability = 0.001 }
        @{ status = 429; retryAfter = $httpDate; probability = 0.002 }
        @{ status = 429; probability = 0.001 }
        @{ status = 503; probability = 0.04 }
        @{ status = 503; commit = 'after'; probability = 0.03 }
        @{ status = 504; commit = 'after'; probability = 0.03 }
        @{ status = 500; commit = 'after'; probability = 0.02 }
        @{ status = 502; probability = 0.02 }
        @{ transport = 'reset'; commit = 'after'; probability = 0.003 }
        @{ transport = 'close'; probability = 0.002 }
        @{ transport = 'halfBody'; commit = 'after'; probability = 0.003 }
        @{ transport = 'hang'; commit = 'after'; probability = 0.001 }
    ) | ForEach-Object { $_ + @{ target = 'any'; path = '/profile/positions' } }
    $envelope = @(
        @{ status = 503; commit = 'after'; probability = 0.02 }
        @{ transport = 'reset'; commit = 'after'; probability = 0.01 }
        @{ status = 429; retryAfter = '0.3'; probability = 0.005 }
    ) | ForEach-Object { $_ + @{ target = 'envelope'; path = '\$batch$' } }
    @($item) + @($envelope)
}

Export-ModuleMember -Function Get-LateViolationCount, Start-FaultSandbox, Set-SandboxPenalty, Get-SandboxStats, Initialize-FaultSandbox, New-FaultRow, Export-FaultCsv,
    Get-UserIdMap, Get-TaggedPosition, Get-RowAttempt, Get-EnvelopeRequest, Get-ViolationReport, Get-ViolationSummary, Assert-NoViolation, Get-ErrorRow,
    Assert-RunOutcome, Assert-CreatedState, Assert-UpdatedState, Assert-RemovedState, New-SweepDataFile, Get-SweepFaultRule
