#Requires -Version 7.0
<#
.SYNOPSIS
    Bulk speed and memory of the built module against the sandbox, side by side in one run, printed as a table.

.DESCRIPTION
    A bench, not a test: it prints figures and asserts nothing. The machine is shared, so compare the ratios, not the
    absolute times.

    1. At a fixed sandbox latency (-LatencyMs, 100 ms), over -Users users (100), for New, Update and Remove:
       (a) a plain Invoke-RestMethod loop as an admin writes it, and (b) the module with -BatchSize 1 -ThrottleLimit 1,
       each on the first -Sample rows (200); (c) the module with its defaults on all -Rows rows (10,000), read from CSV.
       Items/s, the ratios c/a and c/b, the measured latency of a $batch envelope of 20 items, and the ceiling
       20 per batch x 4 in flight / that latency, with c as a share of it.
    2. Throttling: the sandbox with --throttle -ThrottleBudget/1 and penalty mode; the module's defaults on
       -ThrottleRows rows: items/s as a share of the budget, and the sandbox's count of requests that came back
       before their Retry-After (violations), split as the fault suite does: on their way when the answer that opened
       the window was produced (or less than 250 ms after), and later.
    4. Sync-ProfilePosition (a nightly HR import): -SyncUsers users (10,000) with two positions each, of which
       -SyncChangedPercent (5 %) have a new department, at -LatencyMs: HTTP requests and batch items sent, the read
       envelopes against users / 20 (each user has one page), the writes against the changed positions, and the wall
       time. The starting state is made by a first sync at zero latency and kept on disk (--data).
    3. At zero latency: the module's CPU per item (this process's CPU time for Import-Csv | New-ProfilePosition, minus
       the same pipeline into a compiled no-op cmdlet with New-ProfilePosition's parameters) in the steady state: both
       sides are run alternately on all -CpuRows rows, unmeasured, until a round compiles fewer than -SettledMethods
       (300) methods (the runtime recompiles hot code, optimised, over several runs), at most -MaxWarmRounds (10); then
       both are measured -CpuRuns (3) times, alternately, and the median of each side is taken. The first round is
       printed too: a single run in a new session, compiler included. And the peak working set of a fresh pwsh piping
       -MemoryRows (100,000) generated rows into New-ProfilePosition with the output discarded.

.EXAMPLE
    dotnet pwsh ./bench/Bulk.Bench.ps1
.EXAMPLE
    dotnet pwsh ./bench/Bulk.Bench.ps1 -Rows 2000 -MemoryRows 20000    # a quicker run
#>
param(
    [string] $ModuleManifest = (Join-Path $PSScriptRoot '../out/ProfilePositions/ProfilePositions.psd1'),
    [int] $Rows = 10000,
    [int] $Users = 100,
    [int] $Sample = 200,
    [int] $LatencyMs = 100,
    [int] $ThrottleBudget = 100,
    [int] $ThrottleRows = 1500,
    [int] $CpuRows = 10000,
    [int] $CpuRuns = 3,
    [int] $SettledMethods = 300,
    [int] $MaxWarmRounds = 10,
    [int] $MemoryRows = 100000,
    [int] $SyncUsers = 10000,
    [double] $SyncChangedPercent = 5
)

$ErrorActionPreference = 'Stop'
$ModuleManifest = (Resolve-Path $ModuleManifest).Path
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestSupport.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/FaultSupport.psm1') -Force
Import-Module $ModuleManifest -Force
$work = Join-Path ([IO.Path]::GetTempPath()) ('pp-bulk-bench-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
$null = New-Item -ItemType Directory -Path $work

function Write-Phase([string] $Text) { Write-Host "--- $Text" -ForegroundColor DarkCyan }

function New-Tenant([string] $Path, [int] $Count) {
    # A --data file with $Count users and no positions.
    $list = foreach ($number in 1..$Count) {
        [ordered]@{ id = [guid]::NewGuid().ToString(); userPrincipalName = ('bench.user{0:d3}@contoso.com' -f $number); displayName = "Bench User $number" }
    }
    [ordered]@{ version = 1; users = @($list); positions = [ordered]@{} } | ConvertTo-Json -Depth 5 | Set-Content -Path $Path
    @($list)
}

function Connect-Bench($Sandbox, [string] $User) {
    $token = Get-TestToken -Sandbox $Sandbox -User $User -Scopes 'User.ReadWrite.All'
    $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -GraphEndpoint $Sandbox.BaseUri
    @{ Authorization = "Bearer $token" }
}

function Measure-Rate([scriptblock] $Work, [int] $Count) {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    & $Work
    $watch.Stop()
    [pscustomobject]@{ Count = $Count; Seconds = $watch.Elapsed.TotalSeconds; Rate = $Count / $watch.Elapsed.TotalSeconds }
}

function Get-Stored($Sandbox) {
    $state = Get-SandboxState -Sandbox $Sandbox
    @(foreach ($property in $state.positions.PSObject.Properties) { $property.Value })
}

$results = [ordered]@{}
try {
    # ---------------------------------------------------------------- 1. latency
    Write-Phase "1. $Rows rows over $Users users at a sandbox latency of $LatencyMs ms"
    $tenantFile = Join-Path $work 'tenant.json'
    $tenantUsers = New-Tenant -Path $tenantFile -Count $Users
    $sandbox = Start-TestSandbox -ExtraArgs '--data', $tenantFile, '--latency-ms', "$LatencyMs", '--seed', '1'
    try {
        $headers = Connect-Bench $sandbox $tenantUsers[0].userPrincipalName
        $base = $sandbox.BaseUri
        $csv = Join-Path $work 'rows.csv'
        $sampleCsv = Join-Path $work 'sample.csv'
        $allRows = foreach ($number in 1..$Rows) {
            [pscustomobject]@{ UserId = $tenantUsers[$number % $Users].id; JobTitle = "Bench $number"; CompanyName = 'Bench Co'; Department = 'Bench'; StartMonthYear = '2021-03' }
        }
        $allRows | Export-Csv -Path $csv -NoTypeInformation
        $allRows | Select-Object -First $Sample | Export-Csv -Path $sampleCsv -NoTypeInformation

        # The latency of one $batch envelope of 20 items (they run side by side), the median of 10.
        $batchBody = @{ requests = @(1..20 | ForEach-Object { @{ id = "$_"; method = 'GET'; url = "/users/$($tenantUsers[$_].id)/profile/positions" } }) } | ConvertTo-Json -Depth 5
        $envelopeTimes = foreach ($round in 1..10) {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $null = Invoke-RestMethod -Method Post -Uri "$base/beta/`$batch" -Headers $headers -Body $batchBody -ContentType 'application/json'
            $watch.Elapsed.TotalSeconds
        }
        $envelopeLatency = ($envelopeTimes | Sort-Object)[5]
        $ceiling = 20 * 4 / $envelopeLatency

        # (a) the loop an admin writes.
        $loopCreated = [Collections.Generic.List[object]]::new()
        $a = [ordered]@{}
        $a.New = Measure-Rate -Count $Sample {
            foreach ($row in Import-Csv -Path $sampleCsv) {
                $body = @{ detail = @{ jobTitle = $row.JobTitle; company = @{ displayName = $row.CompanyName; department = $row.Department }; startMonthYear = "$($row.StartMonthYear)-01" } } | ConvertTo-Json -Depth 5
                $created = Invoke-RestMethod -Method Post -Uri "$base/beta/users/$($row.UserId)/profile/positions" -Headers $headers -Body $body -ContentType 'application/json'
                $loopCreated.Add([pscustomobject]@{ UserId = $row.UserId; Id = $created.id; JobTitle = "$($row.JobTitle) v2" })
            }
        }
        $a.Update = Measure-Rate -Count $Sample {
            foreach ($row in $loopCreated) {
                $body = @{ detail = @{ jobTitle = $row.JobTitle } } | ConvertTo-Json -Depth 5
                $null = Invoke-RestMethod -Method Patch -Uri "$base/beta/users/$($row.UserId)/profile/positions/$($row.Id)" -Headers $headers -Body $body -ContentType 'application/json'
            }
        }
        $a.Remove = Measure-Rate -Count $Sample {
            foreach ($row in $loopCreated) {
                $null = Invoke-RestMethod -Method Delete -Uri "$base/beta/users/$($row.UserId)/profile/positions/$($row.Id)" -Headers $headers
            }
        }

        # (b) and (c): the module, from CSV as an admin runs it.
        function Measure-Module([string] $Path, [int] $Count, [hashtable] $Settings) {
            $rates = [ordered]@{}
            $idsCsv = Join-Path $work ('ids-' + [guid]::NewGuid().ToString('n') + '.csv')
            $rates.New = Measure-Rate -Count $Count {
                Import-Csv -Path $Path | New-ProfilePosition @Settings |
                    Select-Object UserId, Id, @{ n = 'JobTitle'; e = { $_.Detail.JobTitle + ' v2' } } | Export-Csv -Path $idsCsv -NoTypeInformation
            }
            $rates.Update = Measure-Rate -Count $Count { Import-Csv -Path $idsCsv | Update-ProfilePosition @Settings | Out-Null }
            $rates.Remove = Measure-Rate -Count $Count { Import-Csv -Path $idsCsv | Remove-ProfilePosition @Settings }
            $rates
        }
        $b = Measure-Module -Path $sampleCsv -Count $Sample -Settings @{ BatchSize = 1; ThrottleLimit = 1 }
        $c = Measure-Module -Path $csv -Count $Rows -Settings @{}
        $left = (Get-Stored $sandbox).Count
        $results.Latency = [pscustomobject]@{ A = $a; B = $b; C = $c; Envelope = $envelopeLatency; Ceiling = $ceiling; Left = $left }
    }
    finally {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $sandbox
    }

    # ---------------------------------------------------------------- 2. throttling
    Write-Phase "2. $ThrottleRows rows under --throttle $ThrottleBudget/1 with penalty mode on"
    $throttled = Start-TestSandbox -ExtraArgs '--throttle', "$ThrottleBudget/1", '--seed', '2'
    try {
        $null = Invoke-RestMethod -Method Post -Uri "$($throttled.BaseUri)/_sandbox/penalty" -Body '{"enabled":true}' -ContentType 'application/json'
        $owner = (Get-SandboxUsers -Sandbox $throttled)[0]
        $null = Connect-Bench $throttled $owner.userPrincipalName
        $throttleInput = foreach ($number in 1..$ThrottleRows) { [pscustomobject]@{ UserId = $owner.id; JobTitle = "Throttle $number" } }
        $run = $null
        $rate = Measure-Rate -Count $ThrottleRows { $throttleInput | New-ProfilePosition -SummaryVariable global:benchRun | Out-Null }
        $penalty = Invoke-RestMethod -Uri "$($throttled.BaseUri)/_sandbox/penalty"; $run = $global:benchRun
        # The same reading of the journal as the fault suite: which violations were already on their way (or sent while
        # the answer that opened the window travelled, < 250 ms after it was produced) and which came later.
        $report = @(Get-ViolationReport -Sandbox $throttled -RaceAllowanceMs 250)
        $results.Throttle = [pscustomobject]@{ Rate = $rate.Rate; Share = $rate.Rate / $ThrottleBudget; Violations = $penalty.violations; Late = @($report | Where-Object { -not $_.OnItsWay -and -not $_.Racing }).Count; Throttled = $run.Throttled; Created = $run.Created; Failed = $run.Failed }
    }
    finally {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $throttled
    }

    # ---------------------------------------------------------------- 3. CPU and memory at zero latency
    Write-Phase "3. CPU per item ($CpuRows rows) and peak working set ($MemoryRows rows) at zero latency"
    $fast = Start-TestSandbox -ExtraArgs '--seed', '3'
    try {
        $owner = (Get-SandboxUsers -Sandbox $fast)[0]
        $token = Get-TestToken -Sandbox $fast -User $owner.userPrincipalName -Scopes 'User.ReadWrite.All'
        $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -GraphEndpoint $fast.BaseUri

        # A compiled cmdlet with New-ProfilePosition's parameters (names, types, sets, aliases, pipeline binding) that
        # does nothing: what PowerShell itself costs to bind the same rows.
        $command = Get-Command New-ProfilePosition
        $common = [Management.Automation.PSCmdlet]::CommonParameters + [Management.Automation.PSCmdlet]::OptionalCommonParameters
        $members = foreach ($parameter in $command.Parameters.Values | Where-Object { $_.Name -notin $common }) {
            $attributes = foreach ($set in $parameter.ParameterSets.GetEnumerator()) {
                $parts = @()
                if ($set.Key -ne '__AllParameterSets') { $parts += "ParameterSetName = `"$($set.Key)`"" }
                if ($set.Value.IsMandatory) { $parts += 'Mandatory = true' }
                if ($set.Value.ValueFromPipeline) { $parts += 'ValueFromPipeline = true' }
                if ($set.Value.ValueFromPipelineByPropertyName) { $parts += 'ValueFromPipelineByPropertyName = true' }
                "[Parameter($($parts -join ', '))]"
            }
            $alias = if ($parameter.Aliases.Count) { '[Alias(' + (($parameter.Aliases | ForEach-Object { "`"$_`"" }) -join ', ') + ')]' } else { '' }
            $type = $parameter.ParameterType.FullName -replace '\+', '.'
            "        $($attributes -join ' ') $alias public $type $($parameter.Name) { get; set; }"
        }
        $source = @"
using System.Management.Automation;
[Cmdlet("Invoke", "NoOpPosition", DefaultParameterSetName = "$($command.DefaultParameterSet)", SupportsShouldProcess = true)]
public sealed class InvokeNoOpPositionCommand : PSCmdlet
{
$($members -join "`n")
    protected override void ProcessRecord() { }
}
"@
        $assemblies = @([psobject].Assembly.Location, (Get-Module ProfilePositions).ImplementingAssembly.Location) + @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ProfilePositions.Models' } | ForEach-Object Location)
        $noOp = Add-Type -TypeDefinition $source -ReferencedAssemblies $assemblies -PassThru -WarningAction SilentlyContinue | Where-Object Name -EQ 'InvokeNoOpPositionCommand'
        Import-Module -Assembly $noOp.Assembly

        $cpuCsv = Join-Path $work 'cpu.csv'
        1..$CpuRows | ForEach-Object { [pscustomobject]@{ UserId = $owner.id; JobTitle = "Cpu $_"; CompanyName = 'Cpu Co'; Department = 'Cpu'; StartMonthYear = '2021-03' } } |
            Export-Csv -Path $cpuCsv -NoTypeInformation
        function Measure-Cpu([scriptblock] $Work) {
            [GC]::Collect()
            $process = [Diagnostics.Process]::GetCurrentProcess()
            $before = $process.TotalProcessorTime
            $allocated = [GC]::GetTotalAllocatedBytes($true)
            $watch = [Diagnostics.Stopwatch]::StartNew()
            & $Work
            $process.Refresh()
            [pscustomobject]@{ Cpu = ($process.TotalProcessorTime - $before).TotalMilliseconds; Wall = $watch.Elapsed.TotalSeconds; Alloc = [GC]::GetTotalAllocatedBytes($true) - $allocated }
        }
        # The steady state, the same way for both sides. The runtime compiles hot code again, optimised, over the first
        # runs (tiered JIT with dynamic PGO: each hot method is compiled up to three times, on one background thread);
        # on a 2-core machine that goes on for several runs of 10,000 rows, so a fixed short warm-up measures the
        # compiler too. Both sides are run alternately, unmeasured, until a round compiles fewer than -SettledMethods
        # methods in this process (System.Runtime.JitInfo) or after -MaxWarmRounds; then both are measured -CpuRuns
        # times, alternately, and the median of each side is taken. The first round is kept as the cold figure: what a
        # single 10,000-row run in a new session costs, compiler included.
        $warmRounds = 0
        $cold = $null
        do {
            $compiledBefore = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
            $jitBefore = [System.Runtime.JitInfo]::GetCompilationTime($false)
            $moduleRound = Measure-Cpu { Import-Csv -Path $cpuCsv | New-ProfilePosition | Out-Null }
            $baselineRound = Measure-Cpu { Import-Csv -Path $cpuCsv | Invoke-NoOpPosition | Out-Null }
            $compiled = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $compiledBefore
            $jitMs = ([System.Runtime.JitInfo]::GetCompilationTime($false) - $jitBefore).TotalMilliseconds
            $warmRounds++
            if (-not $cold) { $cold = [pscustomobject]@{ Module = $moduleRound.Cpu; Baseline = $baselineRound.Cpu; JitMs = $jitMs } }
            Write-Host ("    warm-up round {0}: module {1:0} us, no-op {2:0} us per item; {3} methods compiled ({4:0} ms)" -f $warmRounds, ($moduleRound.Cpu * 1000 / $CpuRows), ($baselineRound.Cpu * 1000 / $CpuRows), $compiled, $jitMs)
        } while ($compiled -ge $SettledMethods -and $warmRounds -lt $MaxWarmRounds)
        $moduleRuns = @(); $baselineRuns = @()
        $compiledBefore = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
        $jitBefore = [System.Runtime.JitInfo]::GetCompilationTime($false)
        foreach ($round in 1..$CpuRuns) {
            $moduleRuns += Measure-Cpu { Import-Csv -Path $cpuCsv | New-ProfilePosition | Out-Null }
            $baselineRuns += Measure-Cpu { Import-Csv -Path $cpuCsv | Invoke-NoOpPosition | Out-Null }
        }
        $measuredCompiled = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $compiledBefore
        $measuredJitMs = ([System.Runtime.JitInfo]::GetCompilationTime($false) - $jitBefore).TotalMilliseconds
        $module = @($moduleRuns | Sort-Object Cpu)[[Math]::Floor($CpuRuns / 2)]
        $baseline = @($baselineRuns | Sort-Object Cpu)[[Math]::Floor($CpuRuns / 2)]
        Disconnect-ProfileGraph

        # Peak working set of a fresh pwsh: 100,000 generated rows, output discarded; and the same rows into Out-Null.
        $pwsh = [Environment]::ProcessPath
        $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { [Reflection.Assembly]::GetEntryAssembly().Location })
        $rowsScript = "1..$MemoryRows | ForEach-Object { [pscustomobject]@{ UserId = '$($owner.id)'; JobTitle = `"Memory `$_`"; CompanyName = 'Memory Co' } }"
        $memoryScript = "Import-Module '$ModuleManifest'; `$null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString '$token' -AsPlainText -Force) -GraphEndpoint '$($fast.BaseUri)'; $rowsScript | New-ProfilePosition -SummaryVariable run | Out-Null; [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64; `$run.Created"
        $baselineScript = "$rowsScript | Out-Null; [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64"
        $memory = & $pwsh @prefix -NoProfile -NonInteractive -Command $memoryScript
        $memoryBaseline = & $pwsh @prefix -NoProfile -NonInteractive -Command $baselineScript
        $results.Cpu = [pscustomobject]@{
            PerItemUs  = ($module.Cpu - $baseline.Cpu) * 1000 / $CpuRows
            TotalUs    = $module.Cpu * 1000 / $CpuRows
            NoOpUs     = $baseline.Cpu * 1000 / $CpuRows
            ColdUs     = ($cold.Module - $cold.Baseline) * 1000 / $CpuRows
            ColdJitMs  = $cold.JitMs
            WarmRounds = $warmRounds
            Settled    = $compiled -lt $SettledMethods
            Compiled   = $measuredCompiled
            JitMs      = $measuredJitMs
            Allocated  = $module.Alloc / 1KB / $CpuRows
            AllocatedNoOp = $baseline.Alloc / 1KB / $CpuRows
            PeakMB     = [double] $memory[0] / 1MB
            Created    = [int] $memory[1]
            BaselineMB = [double] @($memoryBaseline)[-1] / 1MB
        }
    }
    finally {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $fast
    }

    # ---------------------------------------------------------------- 4. Sync-ProfilePosition
    Write-Phase "4. Sync-ProfilePosition: $SyncUsers users x 2 positions, $SyncChangedPercent % changed, latency $LatencyMs ms"
    $syncFile = Join-Path $work 'sync-tenant.json'
    $syncTenant = New-Tenant -Path $syncFile -Count $SyncUsers
    $syncRows = @(foreach ($user in $syncTenant) {
            foreach ($number in 1, 2) { [pscustomobject]@{ UserId = $user.id; JobTitle = "Sync $number"; CompanyName = 'Sync Co'; StartMonthYear = "2020-0$number"; Department = 'Before' } }
        })
    $setup = Start-TestSandbox -ExtraArgs '--data', $syncFile, '--seed', '4'
    try {
        $null = Connect-Bench $setup $syncTenant[0].userPrincipalName
        $null = $syncRows | Sync-ProfilePosition -SummaryVariable global:benchSetup
    }
    finally {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $setup
    }
    $changedCount = [int] [Math]::Round($syncRows.Count * $SyncChangedPercent / 100)
    $step = [Math]::Max(1, [int] [Math]::Floor($syncRows.Count / $changedCount))
    for ($index = 0; $index -lt $syncRows.Count -and $index / $step -lt $changedCount; $index += $step) { $syncRows[$index].Department = 'After' }
    $syncSandbox = Start-TestSandbox -ExtraArgs '--data', $syncFile, '--latency-ms', "$LatencyMs", '--seed', '4'
    try {
        $headers = Connect-Bench $syncSandbox $syncTenant[0].userPrincipalName
        # A marker request: the journal numbers every request, so the run's entries are those after it.
        $null = Invoke-RestMethod -Uri "$($syncSandbox.BaseUri)/beta/users/$($syncTenant[0].id)/profile/positions" -Headers $headers
        $marker = (@(Get-GraphRequest -Sandbox $syncSandbox))[-1].seq
        $syncRate = Measure-Rate -Count $syncRows.Count { $null = $syncRows | Sync-ProfilePosition -SummaryVariable global:benchSync }
        $run = $global:benchSync
        # The journal keeps the last 10,000 requests: the writes come last, so they are all there.
        $tail = @(Get-SandboxJournal -Sandbox $syncSandbox | Where-Object { $_.seq -gt $marker -and $_.path -notlike '/_sandbox*' })
        $entries = [long] ($tail | Measure-Object -Property seq -Maximum).Maximum - $marker
        $writes = @($tail | Where-Object { $_.method -in 'POST', 'PATCH', 'DELETE' -and $_.path -notlike '*/$batch' })
        $writeEnvelopes = @($writes.batchId | Where-Object { $_ } | Sort-Object -Unique).Count
        $operations = $entries - $run.Envelopes
        $results.Sync = [pscustomobject]@{
            Seconds = $syncRate.Seconds; Requests = $run.Requests; Envelopes = $run.Envelopes; Operations = $operations
            Writes = $writes.Count; WriteEnvelopes = $writeEnvelopes; Reads = $operations - $writes.Count; ReadRequests = $run.Requests - $writeEnvelopes - ($writes.Count - @($writes | Where-Object batchId).Count)
            Changed = $changedCount; Updated = $run.Updated; Unchanged = $run.Unchanged; Failed = $run.Failed; SetupCreated = $global:benchSetup.Created
        }
    }
    finally {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $syncSandbox
    }
}
finally {
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

# ---------------------------------------------------------------- the table
$latency = $results.Latency
$f = [Globalization.CultureInfo]::InvariantCulture
$lines = @(
    "Bulk bench: $Rows rows over $Users users from CSV, sandbox latency $LatencyMs ms; (a) and (b) on the first $Sample rows. $([Environment]::ProcessorCount) cores."
    ''
    '| Operation | (a) Invoke-RestMethod loop | (b) -BatchSize 1 -ThrottleLimit 1 | (c) defaults (20 per $batch, 4 in flight) | c / a | c / b | c / ceiling |'
    '|---|---:|---:|---:|---:|---:|---:|'
)
foreach ($operation in 'New', 'Update', 'Remove') {
    $ra = $latency.A[$operation].Rate; $rb = $latency.B[$operation].Rate; $rc = $latency.C[$operation].Rate
    $lines += [string]::Format($f, '| {0}-ProfilePosition | {1:0.0} items/s | {2:0.0} items/s | {3:0} items/s | {4:0.0}x | {5:0.0}x | {6:0} % |', $operation, $ra, $rb, $rc, $rc / $ra, $rc / $rb, 100 * $rc / $latency.Ceiling)
}
$lines += ''
$lines += [string]::Format($f, 'Envelope latency (20 items, median of 10): {0:0} ms; ceiling 20 x 4 / latency = {1:0} items/s. Positions left after Remove: {2}.', $latency.Envelope * 1000, $latency.Ceiling, $latency.Left)
$throttle = $results.Throttle
$lines += [string]::Format($f, 'Throttled (--throttle {0}/1, penalty mode, {1} rows, defaults): {2:0.0} items/s = {3:0} % of the budget; {4} violations, of which {8} arrived 250 ms or more after the answer that opened their window (the rest were on their way or sent while it travelled); {5} answers of 429; {6} created, {7} failed.', $ThrottleBudget, $ThrottleRows, $throttle.Rate, 100 * $throttle.Share, $throttle.Violations, $throttle.Throttled, $throttle.Created, $throttle.Failed, $throttle.Late)
$cpu = $results.Cpu
$lines += [string]::Format($f, 'Zero latency, {0} rows from CSV, steady state ({4} warm-up rounds of each side until a round compiled fewer than {5} methods{6}; then the median of {7} alternate runs, during which {8} methods were compiled in {9:0} ms): the module''s CPU per item {1:0} us (total {2:0} us minus {3:0} us for a no-op compiled cmdlet with the same parameters); allocated {10:0.0} KB per item (the no-op {11:0.0} KB). The first round, in a new session with the compiler at work ({12:0} ms of JIT): {13:0} us per item.', $CpuRows, $cpu.PerItemUs, $cpu.TotalUs, $cpu.NoOpUs, $cpu.WarmRounds, $SettledMethods, $(if ($cpu.Settled) { '' } else { ', which it had not reached' }), $CpuRuns, $cpu.Compiled, $cpu.JitMs, $cpu.Allocated, $cpu.AllocatedNoOp, $cpu.ColdJitMs, $cpu.ColdUs)
$lines += [string]::Format($f, 'Peak working set, {0} generated rows into New-ProfilePosition, output discarded: {1:0} MB ({2} created; the same rows into Out-Null alone: {3:0} MB).', $MemoryRows, $cpu.PeakMB, $cpu.Created, $cpu.BaselineMB)
$sync = $results.Sync
$lines += [string]::Format($f, 'Sync-ProfilePosition, {0} users x 2 positions ({1} created by the first sync), {2} % changed, latency {3} ms: {4:0.0} s; {5} HTTP requests ({6} $batch), {7} batch items and plain requests: {8} reads in {9} requests (users / 20 = {10:0}), {11} writes in {12} requests for {13} changed positions ({14} updated, {15} unchanged, {16} failed).', $SyncUsers, $sync.SetupCreated, $SyncChangedPercent, $LatencyMs, $sync.Seconds, $sync.Requests, $sync.Envelopes, $sync.Operations, $sync.Reads, $sync.ReadRequests, $SyncUsers / 20, $sync.Writes, ($sync.Requests - $sync.ReadRequests), $sync.Changed, $sync.Updated, $sync.Unchanged, $sync.Failed)
$lines | ForEach-Object { Write-Output $_ }
