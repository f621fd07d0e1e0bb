#Requires -Version 7.0
<#
    What -Verbose and -Debug show, checked against the sandbox's journal: every verbose record is one line; every line
    about an HTTP request names the client-request-id that request carried (the journal has it), and the answer's
    request-id; request and response bodies are on the debug stream only, never on the verbose one.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User 'adele.vance@contoso.com'
    $script:guid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

    function Split-Record($Records) {
        [pscustomobject]@{
            Verbose = @($Records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            Debug   = @($Records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
        }
    }

    function Get-ClientRequestId([string[]] $Lines) {
        @($Lines | ForEach-Object { [regex]::Matches($_, "client-request-id ($script:guid)") | ForEach-Object { $_.Groups[1].Value } } | Sort-Object -Unique)
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Verbose and debug lines' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'one request at a time: each verbose line is one line, each HTTP line carries the client-request-id the journal shows, bodies only in debug' {
        $rows = @(
            [pscustomobject]@{ UserId = 'me'; JobTitle = "Line one`nLine two"; CompanyName = 'Logs' }
            [pscustomobject]@{ UserId = 'me'; JobTitle = 'Plain'; CompanyName = 'Logs'; "Note`r`nSecond line" = 'ignored' }
        )

        $records = $rows | New-ProfilePosition -BatchSize 1 -Verbose -Debug -WarningAction SilentlyContinue 4>&1 5>&1
        $lines = Split-Record $records

        $lines.Verbose.Count | Should -BeGreaterThan 4
        foreach ($line in $lines.Verbose) { $line | Should -Not -Match '[\r\n]' -Because "a verbose record is one line: '$line'" }
        @($lines.Verbose | Where-Object { $_ -like 'Row 2:*Note Second line*' }).Count | Should -Be 1 -Because 'a column name with a line break is shown on the row''s one line'

        $http = @($lines.Verbose | Where-Object { $_ -match '^HTTP ' })
        $http.Count | Should -Be 4 -Because 'two requests, each a line when sent and a line when answered'
        foreach ($line in $http) { $line | Should -Match "client-request-id $script:guid" }
        $answers = @($http | Where-Object { $_ -match '^HTTP 201 ' })
        $answers.Count | Should -Be 2
        foreach ($line in $answers) { $line | Should -Match ', request-id \S+\)$' -Because 'an answer line names the request-id Graph answered with' }

        $journal = @(Get-GraphRequest -Sandbox $script:sandbox)
        $journal.Count | Should -Be 2
        $ids = Get-ClientRequestId $http
        $ids | Should -Be @($journal.clientRequestId | Sort-Object -Unique) -Because 'the verbose lines name exactly the requests the sandbox received'

        $lines.Verbose | Where-Object { $_ -clike '*"jobTitle"*' } | Should -BeNullOrEmpty -Because 'bodies never go to the verbose stream'
        $bodies = @($lines.Debug | Where-Object { $_ -like '* request body*' })
        $bodies.Count | Should -Be 2
        # The row whose job title has a line break: its body is on one debug line, named by a request the journal holds.
        $withBreak = @($bodies | Where-Object { $_ -like 'HTTP POST *request body (client-request-id *): *Line one\nLine two*' })
        $withBreak.Count | Should -Be 1
        $withBreak[0] | Should -Match "client-request-id ($(@($journal.clientRequestId) -join '|'))\)"
        @($lines.Debug | Where-Object { $_ -like 'HTTP 201 * response body (client-request-id *' }).Count | Should -Be 2
    }

    It 'in $batch envelopes: the envelope''s lines carry its client-request-id, the one the journal shows for it' {
        $rows = 1..3 | ForEach-Object { [pscustomobject]@{ UserId = 'me'; JobTitle = "Batched $_" } }

        $lines = Split-Record ($rows | New-ProfilePosition -Verbose 4>&1)

        foreach ($line in $lines.Verbose) { $line | Should -Not -Match '[\r\n]' }
        $lines.Debug | Should -BeNullOrEmpty -Because 'without -Debug no body is read for the log'
        $envelopes = @(Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope | Where-Object path -Like '*$batch')
        $envelopes.Count | Should -Be 1
        $batchLines = @($lines.Verbose | Where-Object { $_ -like '*/$batch*' })
        $batchLines.Count | Should -BeGreaterThan 1
        foreach ($line in $batchLines) { $line | Should -BeLike "*client-request-id $($envelopes[0].clientRequestId)*" }
    }

    It 'a retried request says which retry it is, on one line, with the same client-request-id as its first attempt' {
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; path = 'profile/positions$'; nth = 1; status = 503; retryAfter = '0' }
        try {
            $lines = Split-Record (New-ProfilePosition -JobTitle 'Retried' -BatchSize 1 -Verbose 4>&1)
        }
        finally { Clear-SandboxFault -Sandbox $script:sandbox }

        $attempts = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        $attempts.Count | Should -Be 2
        @($attempts.clientRequestId | Sort-Object -Unique).Count | Should -Be 1
        $id = $attempts[0].clientRequestId
        @($lines.Verbose | Where-Object { $_ -like "HTTP POST * (client-request-id $id, retry 1)" }).Count | Should -Be 1
        @($lines.Verbose | Where-Object { $_ -like "POST * (client-request-id $id) (attempt 1): *" }).Count | Should -Be 1 -Because 'the retry line names the operation by its client-request-id'
        foreach ($line in $lines.Verbose) { $line | Should -Not -Match '[\r\n]' }
    }
}
