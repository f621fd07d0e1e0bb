using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using ProfilePositions.Engine.Batching;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// One signed-in connection: its context, its HTTP pipeline and position service, and its own secrets. The engine
    /// keeps no connection of its own: the cmdlets decide which connection a command uses (the runspace's, the process
    /// default, or -Connection) and hand it over. Commands lease it while they run, so disconnecting never pulls the
    /// HTTP client from under a request in flight: the client is released after the last lease ends.
    /// </summary>
    public sealed class ProfileGraphConnection
    {
        private readonly object _gate = new object();
        private readonly ProfileGraphContext _context;
        private HttpClient? _httpClient;
        private int _leases;
        private bool _retired;

        private readonly Microsoft.Kiota.Abstractions.IRequestAdapter _adapter;
        private readonly AuthSnapshot _auth;
        private readonly RetryPolicy _retry;

        private readonly Microsoft.Kiota.Abstractions.IRequestAdapter _stepAdapter;

        private readonly ITokenRenewal _renewal;

        internal ProfileGraphConnection(ProfileGraphContext context, Microsoft.Kiota.Abstractions.IRequestAdapter adapter, Microsoft.Kiota.Abstractions.IRequestAdapter stepAdapter, HttpClient httpClient, AuthSnapshot auth, SecretRedactor redactor, RetryPolicy retry, ITokenRenewal renewal)
        {
            _renewal = renewal;
            _context = Copy(context);
            _adapter = adapter;
            _stepAdapter = stepAdapter;
            _httpClient = httpClient;
            _auth = auth;
            Redactor = redactor;
            _retry = retry;
        }

        /// <summary>A copy of what Connect-ProfileGraph set up (never the token), with the current token's expiry.</summary>
        public ProfileGraphContext Context
        {
            get
            {
                var copy = Copy(_context);
                copy.TokenExpiresOn = _auth.ExpiresOn ?? copy.TokenExpiresOn;
                return copy;
            }
        }

        /// <summary>The positions this connection created or took as a create's result, shared by all its commands.</summary>
        internal ClaimedPositions Claimed { get; } = new ClaimedPositions();

        /// <summary>
        /// The position service for one command: its own event sink and settings over this connection's HTTP pipeline,
        /// claimed positions and secrets.
        /// </summary>
        public IProfilePositionService OpenSession(SessionOptions? options = null)
        {
            options ??= new SessionOptions();
            var transport = new GraphTransport(_adapter, Redactor) { Timeout = options.Timeout };
            var policy = options.MaxRetries.HasValue ? _retry.WithMaxRetries(options.MaxRetries.Value) : _retry;
            var dispatcher = new BatchDispatcher(transport, _stepAdapter, _context.GraphEndpoint!, policy, options.Counters, options.BatchSize, options.ThrottleLimit, options.Linger);
            var responses = new PositionResponses(_auth, Redactor);
            // A 401 is met above the dispatcher, so an item refused in a $batch goes out again in a new envelope.
            var runner = new OperationRunner(new UnauthorizedRecovery(dispatcher, _renewal, responses, dispatcher.Halt), policy, responses, options.Counters);
            return new GraphPositionService(_context.GraphEndpoint!, options.Events, runner, Claimed, dispatcher, _auth, options.Headers);
        }

        /// <summary>Masks this connection's tokens in any text.</summary>
        internal SecretRedactor Redactor { get; }

        /// <summary>True once the connection was disconnected: no new command may use it.</summary>
        public bool IsRetired
        {
            get
            {
                lock (_gate)
                {
                    return _retired;
                }
            }
        }

        /// <summary>Masks this connection's tokens in a text the cmdlets are about to show.</summary>
        public string Redact(string? text) => Redactor.Redact(text);

        /// <summary>
        /// Takes a lease for one command; dispose it when the command ends. Throws NotConnectedException when the connection
        /// was disconnected (a script kept its context in a variable and uses it afterwards).
        /// </summary>
        public IDisposable Lease()
        {
            lock (_gate)
            {
                if (_retired)
                {
                    throw new NotConnectedException("This connection (" + Describe() + ") was disconnected. Run Connect-ProfileGraph, then use the connection it returns.");
                }

                _leases++;
                return new ConnectionLease(this);
            }
        }

        /// <summary>
        /// Forgets the connection: its secrets in memory (a persisted sign-in, -ContextScope CurrentUser, is removed with
        /// <see cref="ProfileGraphConnector.ForgetPersistedSignIn"/>). Returns each problem met, none so far. The HTTP
        /// client is released once running commands end.
        /// </summary>
        public IReadOnlyList<string> Disconnect()
        {
            HttpClient? release = null;
            lock (_gate)
            {
                if (_retired)
                {
                    return Array.Empty<string>();
                }

                _retired = true;
                if (_leases == 0)
                {
                    release = _httpClient;
                    _httpClient = null;
                }
            }

            release?.Dispose();
            Redactor.Clear();
            return Array.Empty<string>();
        }

        /// <summary>"adele@contoso.com at http://127.0.0.1:5000/": enough to tell connections apart in messages.</summary>
        public string Describe() => (_context.Account ?? "an unknown account") + " at " + _context.GraphEndpoint;

        private void EndLease()
        {
            HttpClient? release = null;
            lock (_gate)
            {
                _leases--;
                if (_retired && _leases == 0)
                {
                    release = _httpClient;
                    _httpClient = null;
                }
            }

            release?.Dispose();
        }

        internal static ProfileGraphContext Copy(ProfileGraphContext context) => new ProfileGraphContext
        {
            Account = context.Account,
            TenantId = context.TenantId,
            ClientId = context.ClientId,
            Scopes = context.Scopes.ToArray(),
            Environment = context.Environment,
            GraphEndpoint = context.GraphEndpoint,
            AuthorityHost = context.AuthorityHost,
            AuthType = context.AuthType,
            TokenCredentialType = context.TokenCredentialType,
            ContextScope = context.ContextScope,
            TokenExpiresOn = context.TokenExpiresOn,
        };

        private sealed class ConnectionLease : IDisposable
        {
            private ProfileGraphConnection? _connection;

            public ConnectionLease(ProfileGraphConnection connection)
            {
                _connection = connection;
            }

            public void Dispose() => Interlocked.Exchange(ref _connection, null)?.EndLease();
        }
    }
}
