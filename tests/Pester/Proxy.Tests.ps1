#Requires -Version 7.0
<#
    Graph requests and sign-in (MSAL through Azure.Identity) go through the proxy that HTTPS_PROXY / HTTP_PROXY name,
    and not through it for the hosts NO_PROXY names. .NET reads these variables once per process (HttpClient.DefaultProxy),
    so each case runs in a fresh pwsh with the variables set; the proxy (ProxySupport.psm1) runs in this process, logs what
    it saw, forwards only to loopback and refuses everything else, so nothing leaves the machine. .NET does proxy loopback
    targets (its environment proxy has no loopback exception), which is what lets the sandbox stand in for Graph here.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ProxySupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox -ExtraArgs '--https-port', '0'
    # This process's proxy settings are fixed now, before any test sets a variable for a fresh pwsh.
    $null = [System.Net.Http.HttpClient]::DefaultProxy
    $script:proxy = Start-TestProxy
    $script:httpsAuthority = ([uri]$script:sandbox.HttpsUri).Authority
    $script:httpAuthority = ([uri]$script:sandbox.BaseUri).Authority
    $script:proxyVariables = 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy', 'ALL_PROXY', 'all_proxy'

    # The sign-in of a fresh pwsh: device code against the sandbox's identity platform (HTTPS), Graph on its plain-http
    # port, so that the proxy's log tells the two apart (CONNECT for the token requests, absolute URLs for Graph).
    $script:signInAndWrite = @'
Connect-ProfileGraph -UseDeviceCode -AuthorityHost $authority -GraphEndpoint $graph -Scopes User.ReadWrite -SignInTimeoutSec 30 | Out-Null
$created = New-ProfilePosition -JobTitle $title -ErrorAction Stop
"CREATED $($created.Id)"
'@

    function Invoke-WithProxyVariables([hashtable] $Variables, [scriptblock] $Action) {
        # Set for the fresh pwsh only: this process read its proxy settings long ago (HttpClient.DefaultProxy is created once).
        # Removed, not set to $null: on Linux a variable set to $null still reaches a child process, empty, and an empty
        # no_proxy hides NO_PROXY from .NET (it reads the lower-case name first).
        $saved = @{}
        foreach ($name in $script:proxyVariables) {
            if (Test-Path "Env:$name") { $saved[$name] = (Get-Item "Env:$name").Value; Remove-Item "Env:$name" }
        }
        try {
            foreach ($name in $Variables.Keys) { Set-Item "Env:$name" -Value $Variables[$name] }
            & $Action
        }
        finally {
            foreach ($name in $script:proxyVariables) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue }
            foreach ($name in $saved.Keys) { Set-Item "Env:$name" -Value $saved[$name] }
        }
    }

    function Invoke-SignInAndWrite([hashtable] $ProxyVariables, [string] $Title) {
        $approval = Start-DeviceCodeApproval -Sandbox $script:sandbox -User 'megan.bowen@contoso.com'
        try {
            $env:PROFILEPOSITIONS_TRUST_LOOPBACK_CERT = $script:sandbox.CertificatePath
            $run = Invoke-WithProxyVariables $ProxyVariables {
                Invoke-ScriptInFreshPwsh -Sandbox $script:sandbox -User 'megan.bowen@contoso.com' -Code $script:signInAndWrite -Variables @{
                    authority = $script:sandbox.HttpsUri; graph = $script:sandbox.BaseUri; title = $Title
                }
            }
            $null = $approval | Wait-Job -Timeout 60 | Receive-Job -ErrorAction SilentlyContinue
            $run
        }
        finally {
            Remove-Item Env:PROFILEPOSITIONS_TRUST_LOOPBACK_CERT -ErrorAction SilentlyContinue
            $approval | Remove-Job -Force
        }
    }
}

AfterAll {
    Stop-TestProxy -Proxy $script:proxy
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Proxy settings from HTTPS_PROXY, HTTP_PROXY and NO_PROXY' {
    BeforeEach {
        Clear-TestProxyLog -Proxy $script:proxy
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'sends the token requests and the Graph requests through the proxy' {
        $run = Invoke-SignInAndWrite @{ HTTPS_PROXY = $script:proxy.Uri; HTTP_PROXY = $script:proxy.Uri } 'Through the proxy'

        $run.Output | Should -Match 'CREATED \S+' -Because "the sign-in and the write succeed through the proxy ($($run.Errors))"
        $log = @(Get-TestProxyLog -Proxy $script:proxy)
        $log | Where-Object { $_ -like 'ERROR*' } | Should -BeNullOrEmpty
        @($log | Where-Object { $_ -eq "CONNECT $script:httpsAuthority" }).Count | Should -BeGreaterThan 0 -Because 'MSAL reached the identity platform through a tunnel'
        $log | Should -Contain "POST $($script:sandbox.BaseUri)/beta/me/profile/positions" -Because 'the Graph request went through the proxy'

        $post = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        $post.Count | Should -Be 1
        $post[0].headers.Via | Should -Be '1.1 pp-test-proxy' -Because 'the request that created the position is the one the proxy forwarded'
        @(Get-IdentityRequest -Sandbox $script:sandbox | Where-Object path -Like '*/oauth2/v2.0/token').Count | Should -BeGreaterThan 0
    }

    It 'goes direct for the hosts NO_PROXY names, and the same sign-in and write still succeed' {
        $run = Invoke-SignInAndWrite @{ HTTPS_PROXY = $script:proxy.Uri; HTTP_PROXY = $script:proxy.Uri; NO_PROXY = '127.0.0.1' } 'Around the proxy'

        $run.Output | Should -Match 'CREATED \S+' -Because "the sign-in and the write succeed without the proxy ($($run.Errors))"
        Get-TestProxyLog -Proxy $script:proxy | Should -BeNullOrEmpty
        $post = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        $post.Count | Should -Be 1
        $post[0].headers.PSObject.Properties['Via'] | Should -BeNullOrEmpty
    }

    It 'uses the proxy with the default transports for the real clouds too: Graph.Core''s handler and Azure.Identity''s' {
        # No sandbox trust here: the module's own defaults for graph.microsoft.com and login.microsoftonline.com. The proxy
        # refuses both hosts (403), so nothing leaves this machine; what matters is that the requests came to it.
        $token = Get-TestToken -Sandbox $script:sandbox -User 'megan.bowen@contoso.com' -Scopes 'User.ReadWrite'
        $code = @'
$null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force)
try { New-ProfilePosition -JobTitle 'Never leaves' -MaxRetry 0 -ErrorAction Stop } catch { "GRAPH $($_.FullyQualifiedErrorId) :: $($_.Exception.Message)" }
try { Connect-ProfileGraph -UseDeviceCode -SignInTimeoutSec 3 -ErrorAction Stop } catch { "SIGNIN $($_.FullyQualifiedErrorId) :: $($_.Exception.Message)" }
'@
        $run = Invoke-WithProxyVariables @{ HTTPS_PROXY = $script:proxy.Uri } {
            Invoke-ScriptInFreshPwsh -Sandbox $script:sandbox -User 'megan.bowen@contoso.com' -Code $code -Variables @{ token = $token }
        }

        $log = @(Get-TestProxyLog -Proxy $script:proxy)
        $log | Should -Contain 'CONNECT graph.microsoft.com:443' -Because "Graph requests use the proxy ($($run.Output) $($run.Errors))"
        $log | Should -Contain 'CONNECT login.microsoftonline.com:443' -Because 'MSAL''s requests use the proxy'
        # The proxy refused the tunnel: nothing reached Graph, and the errors say which proxy was used.
        $graph = @($run.Output -split "`n" | Where-Object { $_ -like 'GRAPH *' })[0]
        $graph | Should -BeLike "GRAPH GraphUnreachable,*Nothing was sent*"
        $graph | Should -BeLike "*through the proxy $($script:proxy.Uri)*"
        $signIn = @($run.Output -split "`n" | Where-Object { $_ -like 'SIGNIN *' })[0]
        $signIn | Should -BeLike "SIGNIN *go through the proxy $($script:proxy.Uri)*NO_PROXY*"
    }
}
