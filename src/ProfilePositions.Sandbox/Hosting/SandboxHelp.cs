namespace ProfilePositions.Sandbox;

/// <summary>The text of <c>--help</c>.</summary>
internal static class SandboxHelp
{
    public const string Usage =
        "Usage: ProfilePositions.Sandbox [--port <n>] [--https-port <n>] [--seed <int>] [--data <file.json> [--reseed | --export <file>] [--durability os|fsync]] "
        + "[--latency-ms <min>-<max>] "
        + "[--throttle <n>/<seconds>] [--page-size <n>] [--loose] [--shuffle-batch] [--token-lifetime <s>] [--refresh-token-lifetime <s>] [--refresh-grace <s>] [--parent-pid <pid>] [--verbose] [--help]";

    public const string Text = Usage + """


        A local emulator of Microsoft Graph beta profile positions (/beta/me|users/{id|upn}/profile/positions, $batch)
        and of the Microsoft identity platform's public-client sign-in, on 127.0.0.1 only.

        Options
          --port <n>                    HTTP port (0 = any free port). Printed as "Now listening on: http://127.0.0.1:<port>".
          --https-port <n>              Also listen on HTTPS (0 = any free port), with a self-signed certificate for
                                        127.0.0.1, ::1 and localhost. Printed as "HTTPS certificate: <file.pem>" and then
                                        "Now listening on: https://127.0.0.1:<port>". Trust that PEM file for this
                                        sandbox only. The certificate is kept in <data>.identity.json (and the PEM written
                                        to <data>.https.pem) with --data; otherwise it lives in a temporary folder that
                                        is deleted when the sandbox stops.
          --seed <int>                  Seed of faults, latency, ids and batch shuffling (random and printed if omitted).
          --data <file.json>            Keep the tenant on disk. The JSON file ({"version":1,"users":[...],
                                        "positions":{...}}) is the seed: the first start makes a store beside it
                                        (tenant.json -> tenant.db, plus tenant.db-wal while it runs or after a kill)
                                        and, if the file is missing, writes the demo tenant to it. Every change goes to
                                        the store only, before its response is sent; later starts load the store,
                                        which wins over the file. If the file changed after the store was made, the
                                        sandbox refuses to start: pass --reseed, or --export the store first.
                                        /_sandbox/state/reset goes back to the seed. A damaged file or store stops the
                                        start with a message and exit code 1. The identity state (token signing key,
                                        TLS certificate, refresh tokens, revocations) persists next to it in
                                        <name>.identity.json (owner-only file), so tokens and refresh tokens issued
                                        before a restart are still accepted.
          --reseed                      With --data: make the store again from the JSON file (its changes are lost).
          --export <file>               With --data: write the store as JSON (the seed format) to <file>, or to
                                        standard output for '-', and exit without serving. A running sandbox gives
                                        the same form at GET /_sandbox/state.
          --durability os|fsync         With --data: 'os' (the default) hands every write to the operating system
                                        before answering, so it survives a killed sandbox but not a power cut;
                                        'fsync' waits for the disk (concurrent writes share one flush).
          --latency-ms <min>-<max>      Latency of every request and of every $batch item, drawn uniformly (or one
                                        number for a fixed latency). Items without dependsOn run side by side, so an
                                        envelope takes as long as its slowest dependsOn chain.
          --throttle <n>/<seconds>      One token bucket per caller (the token's oid): n tokens, refilled at n per
                                        <seconds>. Each request and each $batch item takes one (the envelope none);
                                        when the bucket is empty the answer is 429 TooManyRequests with Retry-After in
                                        whole seconds, rounded up, until a token is back. Example: 100/1.
          --page-size <n>               List page size before @odata.nextLink (default 100).
          --loose                       Accept unknown JSON members (by default they are 400, like Graph).
          --shuffle-batch               Return $batch responses in a shuffled order, as Graph may.
          --token-lifetime <s>          Lifetime of access tokens issued by the sign-in flows (default 3600).
          --refresh-token-lifetime <s>  Lifetime of refresh tokens (default 7776000 = 90 days); each use issues a new one.
          --refresh-grace <s>           How long a used (rotated-out) refresh token is still accepted (default 30).
          --parent-pid <pid>            Stop (as on Ctrl+C) when the process with this id exits, so a test run that
                                        crashed or was killed leaves no sandbox behind. Start-ProfileGraphSandbox
                                        passes its own PowerShell process. Printed as "Parent process <pid> exited;
                                        stopping." when it happens. Such a sandbox ignores Ctrl+C (meant for the
                                        session's command); it stops with its parent, on POST /_sandbox/shutdown
                                        or on SIGTERM.
          --verbose                     Log every request to the console.
          --help                        This text.

        Identity platform (HTTPS for MSAL; any tenant segment: organizations, common, a tenant id or a domain)
          GET  /{tenant}/v2.0/.well-known/openid-configuration
          POST /{tenant}/oauth2/v2.0/devicecode                 client_id, scope
          GET  /{tenant}/oauth2/v2.0/authorize                  code + PKCE (S256); signs in login_hint or sandbox_user
                                                                and redirects (302) to the loopback redirect_uri at once
          POST /{tenant}/oauth2/v2.0/token                      grant_type device_code | authorization_code | refresh_token
          MSAL.NET: .WithAuthority("https://127.0.0.1:<port>/organizations/", validateAuthority: false)
                    .WithInstanceDiscovery(false), and trust the printed certificate in an IMsalHttpClientFactory.

        Admin routes (/_sandbox/...)
          GET  health | stats | users | state | requests   DELETE requests    POST state/reset
          POST shutdown                                  stop as Ctrl+C does, after answering 202 (health gives the pid)
          GET  token?user=<upn|id>&scopes=<a b>&lifetime=<s>[&app=true][&audience=<aud>]
          GET|POST|DELETE faults, DELETE faults/{id}, GET|POST penalty
          GET  identity/pending                          pending device codes: userCode, clientId, scopes
          POST identity/approve  {"userCode","user","scopes"}   approve a device code as that user with those scopes
          POST identity/deny     {"userCode"}
          POST identity/revoke?user=<upn|id>             the user's refresh tokens get AADSTS50173
          GET|POST identity/settings {"tokenLifetime","refreshTokenLifetime","refreshGrace","deviceCodeLifetime",
                                      "deviceCodeInterval"}   (seconds; a state reset restores the start-up values)

        Differences from Graph: KNOWN-DIFFERENCES.md in the tool package (src/ProfilePositions.Sandbox/ in the project's
        repository).
        """;
}
