<#
    The testing helpers of ProfilePositions: start, steer and stop the local Graph sandbox (the .NET tool
    ProfilePositions.Sandbox, command profilepositions-sandbox) from a user's own Pester tests, and connect the module
    to it as one of its users.

    A nested script module of the ProfilePositions manifest (NestedModules), exported through its FunctionsToExport, so
    `Import-Module ProfilePositions` brings these functions beside the cmdlets. Why a script module and not cmdlets:
    docs/ARCHITECTURE.md, "Testing helpers". It runs on Windows PowerShell 5.1 as well as on PowerShell 7: no
    PowerShell 7-only syntax or parameter here.
    Help: en-US/<Name>.md, built into ProfilePositions.dll-Help.xml with the cmdlets' pages (the .EXTERNALHELP lines).
#>

Set-StrictMode -Version 3.0

$script:ToolCommand = 'profilepositions-sandbox'
$script:ToolPackage = 'ProfilePositions.Sandbox'
$script:ToolAssembly = 'ProfilePositions.Sandbox.dll'

function Test-WindowsHost {
    [IO.Path]::DirectorySeparatorChar -eq '\'
}

function Get-DotnetHost {
    # The dotnet host that runs a sandbox given as a .dll: the one running this PowerShell when it is `dotnet pwsh`.
    if ($env:DOTNET_HOST_PATH -and (Test-Path -LiteralPath $env:DOTNET_HOST_PATH)) { return $env:DOTNET_HOST_PATH }
    'dotnet'
}

function Resolve-SandboxFile {
    # A file or folder named by -Path or $env:PROFILEPOSITIONS_SANDBOX: how to start it, or $null when it holds no sandbox.
    param([string] $Path, [string] $Source)
    $item = Get-Item -LiteralPath $Path -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    if ($item.PSIsContainer) {
        foreach ($name in @($script:ToolCommand, "$($script:ToolCommand).exe", $script:ToolAssembly)) {
            $candidate = Join-Path $item.FullName $name
            if (Test-Path -LiteralPath $candidate -PathType Leaf) { return Resolve-SandboxFile -Path $candidate -Source $Source }
        }
        return $null
    }
    if ($item.Extension -eq '.dll') {
        return [pscustomobject]@{ FilePath = Get-DotnetHost; Prefix = @($item.FullName); Source = $Source; Display = "dotnet $($item.FullName)" }
    }
    [pscustomobject]@{ FilePath = $item.FullName; Prefix = @(); Source = $Source; Display = $item.FullName }
}

function Find-ProfileGraphSandboxTool {
    # Where the sandbox is, in the documented order: -Path, $env:PROFILEPOSITIONS_SANDBOX, PATH, the global tools
    # folder, a local tool manifest. Throws, naming every place looked at, when none has it.
    param([string] $Path)
    $looked = New-Object System.Collections.Generic.List[string]
    if ($Path) {
        $found = Resolve-SandboxFile -Path $Path -Source '-Path'
        if ($found) { return $found }
        throw "Start-ProfileGraphSandbox: -Path '$Path' is not the sandbox: give the $($script:ToolCommand) executable, $($script:ToolAssembly), or a folder holding one of them."
    }
    if ($env:PROFILEPOSITIONS_SANDBOX) {
        $found = Resolve-SandboxFile -Path $env:PROFILEPOSITIONS_SANDBOX -Source 'PROFILEPOSITIONS_SANDBOX'
        if ($found) { return $found }
        $looked.Add("`$env:PROFILEPOSITIONS_SANDBOX ($env:PROFILEPOSITIONS_SANDBOX)")
    }
    $onPath = Get-Command -Name $script:ToolCommand -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($onPath) {
        return [pscustomobject]@{ FilePath = $onPath.Source; Prefix = @(); Source = 'PATH'; Display = $onPath.Source }
    }
    $looked.Add('PATH')
    $toolHome = if ($env:DOTNET_CLI_HOME) { $env:DOTNET_CLI_HOME } else { [Environment]::GetFolderPath('UserProfile') }
    $globalTools = Join-Path (Join-Path $toolHome '.dotnet') 'tools'
    $found = Resolve-SandboxFile -Path $globalTools -Source 'global tools folder'
    if ($found -and $found.Prefix.Count -eq 0) { return $found }
    $looked.Add($globalTools)
    $manifest = Find-LocalToolManifest
    if ($manifest) {
        return [pscustomobject]@{ FilePath = Get-DotnetHost; Prefix = @('tool', 'run', $script:ToolCommand, '--'); Source = "local tool manifest ($manifest)"; Display = "dotnet tool run $($script:ToolCommand)" }
    }
    $looked.Add('a local tool manifest (dotnet tool list --local)')
    throw ("Start-ProfileGraphSandbox could not find the sandbox ($($script:ToolCommand)); looked in: $($looked -join '; '). " +
        "Install it: dotnet tool install --global $($script:ToolPackage) --add-source <folder with the .nupkg> --version <version> " +
        "(or --tool-path <folder>, then pass -Path <folder>). It needs the ASP.NET Core 10 runtime.")
}

function Find-LocalToolManifest {
    # The .config/dotnet-tools.json (or dotnet-tools.json) above the current folder that lists the sandbox, or $null.
    $folder = (Get-Location -PSProvider FileSystem).ProviderPath
    while ($folder) {
        foreach ($candidate in @((Join-Path (Join-Path $folder '.config') 'dotnet-tools.json'), (Join-Path $folder 'dotnet-tools.json'))) {
            if (Test-Path -LiteralPath $candidate -PathType Leaf) {
                $text = Get-Content -LiteralPath $candidate -Raw
                if ($text -match ('"' + [regex]::Escape($script:ToolPackage) + '"')) { return $candidate }
            }
        }
        $parent = Split-Path -Path $folder -Parent
        if ($parent -eq $folder) { break }
        $folder = $parent
    }
    $null
}

function ConvertTo-ArgumentText([string[]] $Arguments) {
    # Start-Process joins its arguments with spaces: quote those that need it.
    foreach ($argument in $Arguments) {
        if ($argument -eq '' -or $argument -match '[\s"]') { '"' + ($argument -replace '"', '\"') + '"' } else { $argument }
    }
}

function Invoke-SandboxRoute {
    # One call to an admin route (they need no token). A JSON array comes back as its items.
    param($Sandbox, [string] $Method = 'GET', [string] $Route, $Body)
    $parameters = @{ Method = $Method; Uri = "$(Get-SandboxUri $Sandbox)/_sandbox/$($Route.TrimStart('/'))"; UseBasicParsing = $true; Verbose = $false }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $parameters.ContentType = 'application/json'
        $parameters.Body = if ($Body -is [string]) { $Body } else { ConvertTo-Json -InputObject $Body -Depth 20 -Compress }
    }
    try {
        $answer = Invoke-RestMethod @parameters
    }
    catch {
        # The sandbox's own words (Graph's error shape) say what was wrong; the bare status line does not.
        $detail = if ($_.ErrorDetails -and $_.ErrorDetails.Message) { $_.ErrorDetails.Message } else { $_.Exception.Message }
        try { $parsed = ConvertFrom-Json -InputObject $detail; if ($parsed.error.message) { $detail = "$($parsed.error.code): $($parsed.error.message)" } } catch { }
        throw "The sandbox at $(Get-SandboxUri $Sandbox) refused $Method /_sandbox/$($Route.TrimStart('/')): $detail"
    }
    $answer | ForEach-Object { $_ }
}

function Get-SandboxUri($Sandbox) {
    # The sandbox's root: the object Start-ProfileGraphSandbox returned, or its Uri as text.
    if ($null -eq $Sandbox) { throw 'No sandbox was given: pass the object Start-ProfileGraphSandbox returned.' }
    if ($Sandbox -is [string] -or $Sandbox -is [uri]) { return ([string] $Sandbox).TrimEnd('/') }
    $uri = $Sandbox.PSObject.Properties['Uri']
    if (-not $uri -or -not $uri.Value) { throw 'The -Sandbox object has no Uri: pass the object Start-ProfileGraphSandbox returned.' }
    ([string] $uri.Value).TrimEnd('/')
}

function Start-ProfileGraphSandbox {
    # .EXTERNALHELP ProfilePositions.dll-Help.xml
    [CmdletBinding()]
    [OutputType('ProfilePositions.GraphSandbox')]
    param(
        [string] $Path,
        [ValidateRange(0, 65535)] [int] $Port = 0,
        [Nullable[int]] $Seed,
        [string] $DataPath,
        [ValidateCount(1, 2)] [ValidateRange(0, 600000)] [int[]] $LatencyMs,
        [ValidateRange(1, 1000000)] [int] $ThrottleLimit,
        [ValidateRange(0.001, 86400)] [double] $ThrottleSeconds = 1,
        [ValidateRange(1, 100000)] [int] $PageSize,
        [switch] $Loose,
        [switch] $ShuffleBatch,
        [switch] $Https,
        [string[]] $ArgumentList = @(),
        [ValidateRange(1, 3600)] [int] $TimeoutSec = 60
    )

    $tool = Find-ProfileGraphSandboxTool -Path $Path
    $arguments = New-Object System.Collections.Generic.List[string]
    $arguments.AddRange([string[]] @('--port', [string] $Port, '--parent-pid', [string] $PID))
    if ($PSBoundParameters.ContainsKey('Seed') -and $null -ne $Seed) { $arguments.AddRange([string[]] @('--seed', [string] $Seed)) }
    if ($DataPath) { $arguments.AddRange([string[]] @('--data', $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DataPath))) }
    if ($LatencyMs) { $arguments.AddRange([string[]] @('--latency-ms', ($LatencyMs -join '-'))) }
    if ($PSBoundParameters.ContainsKey('ThrottleLimit')) {
        $arguments.AddRange([string[]] @('--throttle', ('{0}/{1}' -f $ThrottleLimit, $ThrottleSeconds.ToString([Globalization.CultureInfo]::InvariantCulture))))
    }
    if ($PSBoundParameters.ContainsKey('PageSize')) { $arguments.AddRange([string[]] @('--page-size', [string] $PageSize)) }
    if ($Loose) { $arguments.Add('--loose') }
    if ($ShuffleBatch) { $arguments.Add('--shuffle-batch') }
    if ($Https) { $arguments.AddRange([string[]] @('--https-port', '0')) }
    foreach ($extra in $ArgumentList) { $arguments.Add($extra) }
    $wantsHttps = $arguments -contains '--https-port'

    # Output goes to files, not pipes, so a chatty sandbox can never block on a full pipe.
    $logBase = Join-Path ([IO.Path]::GetTempPath()) ('pp-sandbox-{0}' -f [guid]::NewGuid().ToString('n'))
    $stdout = "$logBase.out.log"
    $stderr = "$logBase.err.log"
    $start = @{
        FilePath               = $tool.FilePath
        ArgumentList           = @(ConvertTo-ArgumentText (@($tool.Prefix) + $arguments.ToArray()))
        RedirectStandardOutput = $stdout
        RedirectStandardError  = $stderr
        PassThru               = $true
    }
    if (Test-WindowsHost) { $start.NoNewWindow = $true }
    Write-Verbose "Starting the sandbox from $($tool.Source): $($tool.Display) $($arguments -join ' ')"
    $launched = Start-Process @start
    # Windows PowerShell 5.1 forgets a process's exit code unless its handle was taken while it ran.
    $null = $launched.Handle

    $stopLaunched = {
        if (-not $launched.HasExited) { try { $launched.Kill() } catch [InvalidOperationException] { } }
        Remove-Item -LiteralPath $stdout, $stderr -ErrorAction SilentlyContinue
    }
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    $uri = $null; $httpsUri = $null; $certificate = $null
    while (-not $uri -or ($wantsHttps -and -not $httpsUri)) {
        $lines = @(if (Test-Path -LiteralPath $stdout) { Get-Content -LiteralPath $stdout -ErrorAction SilentlyContinue })
        foreach ($line in $lines) {
            if ($line -match '^Now listening on:\s*(http://\S+)') { $uri = $Matches[1].TrimEnd('/') }
            elseif ($line -match '^Now listening on:\s*(https://\S+)') { $httpsUri = $Matches[1].TrimEnd('/') }
            elseif ($line -match '^HTTPS certificate:\s*(.+)$') { $certificate = $Matches[1].Trim() }
        }
        if ($uri -and (-not $wantsHttps -or $httpsUri)) { break }
        if ($launched.HasExited) {
            $launched.WaitForExit()
            $err = (@(Get-Content -LiteralPath $stderr -ErrorAction SilentlyContinue) + @($lines)) -join [Environment]::NewLine
            Remove-Item -LiteralPath $stdout, $stderr -ErrorAction SilentlyContinue
            throw "The sandbox ($($tool.Display)) exited with code $($launched.ExitCode) before it listened. $err".Trim()
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            & $stopLaunched
            throw "The sandbox ($($tool.Display)) did not listen within $TimeoutSec s (-TimeoutSec)."
        }
        Start-Sleep -Milliseconds 100
    }

    # Listening is not yet answering: wait for the health route, which also names the sandbox's own process (behind
    # `dotnet tool run` it is a child of the process started here).
    $health = $null
    while (-not $health) {
        try { $health = Invoke-RestMethod -Uri "$uri/_sandbox/health" -UseBasicParsing -TimeoutSec 5 -Verbose:$false }
        catch {
            if ([DateTime]::UtcNow -gt $deadline -or $launched.HasExited) {
                & $stopLaunched
                throw "The sandbox listened on $uri but its health route did not answer within $TimeoutSec s: $($_.Exception.Message)"
            }
            Start-Sleep -Milliseconds 100
        }
    }
    $process = $launched
    if ($health.PSObject.Properties['pid'] -and $health.pid -ne $launched.Id) {
        $process = Get-Process -Id $health.pid -ErrorAction SilentlyContinue
        if (-not $process) { $process = $launched }
    }
    $users = @(Invoke-RestMethod -Uri "$uri/_sandbox/users" -UseBasicParsing -Verbose:$false | ForEach-Object { $_ })

    [pscustomobject]@{
        PSTypeName      = 'ProfilePositions.GraphSandbox'
        Uri             = $uri
        HttpsUri        = $httpsUri
        CertificatePath = $certificate
        Seed            = $health.seed
        Users           = $users
        Process         = $process
        DataPath        = if ($DataPath) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DataPath) } else { $null }
        Source          = $tool.Source
        LogPath         = $stdout
        ErrorLogPath    = $stderr
        Launcher        = $launched
    }
}

function Stop-ProfileGraphSandbox {
    # .EXTERNALHELP ProfilePositions.dll-Help.xml
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [AllowNull()]
        [psobject] $Sandbox,

        [ValidateRange(1, 600)] [int] $TimeoutSec = 10
    )
    process {
        if ($null -eq $Sandbox) { return }
        $processProperty = $Sandbox.PSObject.Properties['Process']
        if (-not $processProperty) { throw 'Stop-ProfileGraphSandbox: -Sandbox is not a sandbox that Start-ProfileGraphSandbox started (it has no Process).' }
        $process = $processProperty.Value
        if ($process -and -not $process.HasExited) {
            # Asked first, so it closes its store and removes its temporary files; killed if it does not go in time.
            try { $null = Invoke-SandboxRoute -Sandbox $Sandbox -Method POST -Route 'shutdown' } catch { Write-Verbose "The shutdown route did not answer: $($_.Exception.Message)" }
            if (-not $process.WaitForExit($TimeoutSec * 1000)) {
                Write-Verbose "The sandbox (process $($process.Id)) did not stop within $TimeoutSec s; killing it."
                try { $process.Kill() } catch [InvalidOperationException] { }
                $null = $process.WaitForExit(10000)
            }
        }
        $launcher = $Sandbox.PSObject.Properties['Launcher']
        if ($launcher -and $launcher.Value -and -not $launcher.Value.HasExited) {
            if (-not $launcher.Value.WaitForExit(5000)) { try { $launcher.Value.Kill() } catch [InvalidOperationException] { } }
        }
        foreach ($name in 'LogPath', 'ErrorLogPath') {
            $log = $Sandbox.PSObject.Properties[$name]
            if ($log -and $log.Value) { Remove-Item -LiteralPath $log.Value -ErrorAction SilentlyContinue }
        }
    }
}

function Reset-ProfileGraphSandbox {
    # .EXTERNALHELP ProfilePositions.dll-Help.xml
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [psobject] $Sandbox,
        [switch] $Requests,
        [switch] $Faults
    )
    process {
        if (-not $Requests -and -not $Faults) {
            $null = Invoke-SandboxRoute -Sandbox $Sandbox -Method POST -Route 'state/reset'
            return
        }
        if ($Requests) { $null = Invoke-SandboxRoute -Sandbox $Sandbox -Method DELETE -Route 'requests' }
        if ($Faults) { $null = Invoke-SandboxRoute -Sandbox $Sandbox -Method DELETE -Route 'faults' }
    }
}

function Test-IdentityRoute([string] $Path) {
    # The identity platform's routes: /{tenant}/oauth2/..., /{tenant}/v2.0/..., /{tenant}/discovery/... and /devicelogin.
    $Path -match '^/[^/_][^/]*/(oauth2|v2\.0|discovery)/' -or $Path -eq '/devicelogin'
}

function Get-ProfileGraphSandboxRequest {
    # .EXTERNALHELP ProfilePositions.dll-Help.xml
    [CmdletBinding()]
    [OutputType('ProfilePositions.GraphSandboxRequest')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [psobject] $Sandbox,
        [string[]] $Method,
        [SupportsWildcards()] [string] $Path,
        [SupportsWildcards()] [string] $User,
        [int[]] $StatusCode,
        [switch] $IncludeEnvelope,
        [switch] $IncludeIdentity
    )
    $methods = @($Method | Where-Object { $_ } | ForEach-Object { $_.ToUpperInvariant() })
    foreach ($entry in @(Invoke-SandboxRoute -Sandbox $Sandbox -Route 'requests')) {
        $entryPath = [string] $entry.path
        $identity = Test-IdentityRoute $entryPath
        if ($identity -and -not $IncludeIdentity) { continue }
        if (-not $identity -and -not $IncludeEnvelope -and $entryPath -like '*/$batch') { continue }
        if ($methods.Count -gt 0 -and $methods -notcontains ([string] $entry.method).ToUpperInvariant()) { continue }
        if ($Path -and $entryPath -notlike $Path) { continue }
        if ($User -and -not ($entry.user -and $entry.user -like $User)) { continue }
        if ($StatusCode -and $StatusCode -notcontains [int] $entry.status) { continue }
        $entry.PSObject.TypeNames.Insert(0, 'ProfilePositions.GraphSandboxRequest')
        $entry
    }
}

function Add-ProfileGraphSandboxFault {
    # .EXTERNALHELP ProfilePositions.dll-Help.xml
    [CmdletBinding(DefaultParameterSetName = 'Latency')]
    [OutputType('ProfilePositions.GraphSandboxFault')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [psobject] $Sandbox,

        [Parameter(Mandatory, ParameterSetName = 'Status')]
        [ValidateSet(429, 500, 502, 503, 504, 507, 509)]
        [int] $StatusCode,

        [Parameter(Mandatory, ParameterSetName = 'Transport')]
        [ValidateSet('Hang', 'Close', 'Reset', 'HalfBody')]
        [string] $Transport,

        [Parameter(Mandatory, ParameterSetName = 'Latency')]
        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [ValidateRange(0, 600000)]
        [int] $LatencyMs,

        [Parameter(Mandatory, ParameterSetName = 'Rule', ValueFromPipeline)]
        [Collections.IDictionary[]] $Rule,

        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [Parameter(ParameterSetName = 'Latency')]
        [string] $Method,

        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [Parameter(ParameterSetName = 'Latency')]
        [string] $Path,

        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [Parameter(ParameterSetName = 'Latency')]
        [string] $User,

        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [Parameter(ParameterSetName = 'Latency')]
        [ValidateSet('Any', 'Request', 'BatchItem', 'Envelope')]
        [string] $Target,

        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [Parameter(ParameterSetName = 'Latency')]
        [ValidateRange(1, [int]::MaxValue)]
        [int] $Nth,

        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [Parameter(ParameterSetName = 'Latency')]
        [ValidateRange(1, [int]::MaxValue)]
        [int] $Times,

        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [Parameter(ParameterSetName = 'Latency')]
        [ValidateRange(0.0, 1.0)]
        [double] $Probability,

        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [Parameter(ParameterSetName = 'Latency')]
        [switch] $CommitAfter,

        [Parameter(ParameterSetName = 'Status')]
        [string] $RetryAfter,

        [Parameter(ParameterSetName = 'Status')]
        [Parameter(ParameterSetName = 'Transport')]
        [Parameter(ParameterSetName = 'Latency')]
        [string] $Id
    )
    process {
        if ($PSCmdlet.ParameterSetName -eq 'Rule') {
            $body = if ($Rule.Count -eq 1) { $Rule[0] } else { , @($Rule) }
        }
        else {
            # The rule's members as the sandbox names them (src/ProfilePositions.Sandbox/Faults/FaultRule.cs).
            $body = [ordered]@{}
            $names = @{ StatusCode = 'status'; Transport = 'transport'; LatencyMs = 'latencyMs'; Method = 'method'; Path = 'path'; User = 'user'
                Target = 'target'; Nth = 'nth'; Times = 'times'; Probability = 'probability'; RetryAfter = 'retryAfter'; Id = 'id' }
            foreach ($name in $names.Keys) {
                if ($PSBoundParameters.ContainsKey($name)) { $body[$names[$name]] = $PSBoundParameters[$name] }
            }
            if ($body.Contains('transport')) { $body.transport = ([string] $body.transport).Substring(0, 1).ToLowerInvariant() + ([string] $body.transport).Substring(1) }
            if ($body.Contains('target')) { $body.target = ([string] $body.target).Substring(0, 1).ToLowerInvariant() + ([string] $body.target).Substring(1) }
            if ($CommitAfter) { $body.commit = 'after' }
        }
        foreach ($stored in @(Invoke-SandboxRoute -Sandbox $Sandbox -Method POST -Route 'faults' -Body $body)) {
            $stored.PSObject.TypeNames.Insert(0, 'ProfilePositions.GraphSandboxFault')
            $stored
        }
    }
}

function Connect-ProfileGraphSandbox {
    # .EXTERNALHELP ProfilePositions.dll-Help.xml
    [CmdletBinding()]
    [OutputType('ProfilePositions.ProfileGraphContext')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [psobject] $Sandbox,

        [Parameter(Mandatory, Position = 1)]
        [Alias('UserPrincipalName')]
        [string] $User,

        [string[]] $Scopes = @('User.ReadWrite'),

        [ValidateRange(1, 2592000)]
        [int] $LifetimeSec = 3600
    )
    $query = 'user={0}&scopes={1}&lifetime={2}' -f [uri]::EscapeDataString($User), [uri]::EscapeDataString($Scopes -join ' '), $LifetimeSec
    try {
        $token = (Invoke-SandboxRoute -Sandbox $Sandbox -Route "token?$query").access_token
    }
    catch {
        throw "Connect-ProfileGraphSandbox: the sandbox at $(Get-SandboxUri $Sandbox) gave no token for '$User' ($($_.Exception.Message)). Its users are in `$sandbox.Users."
    }
    $secure = New-Object System.Security.SecureString
    foreach ($character in $token.ToCharArray()) { $secure.AppendChar($character) }
    $secure.MakeReadOnly()
    $token = $null
    Connect-ProfileGraph -AccessToken $secure -GraphEndpoint (Get-SandboxUri $Sandbox)
}

Export-ModuleMember -Function Start-ProfileGraphSandbox, Stop-ProfileGraphSandbox, Reset-ProfileGraphSandbox, Get-ProfileGraphSandboxRequest, Add-ProfileGraphSandboxFault, Connect-ProfileGraphSandbox
