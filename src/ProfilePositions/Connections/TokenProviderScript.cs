using System;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Security;

namespace ProfilePositions.Connections
{
    /// <summary>
    /// The -AccessTokenProvider script block as the engine calls it. A script block belongs to the runspace that made it
    /// and cannot run on a worker thread, so this keeps an unbound copy (made from its syntax tree), which runs in the
    /// runspace of whichever pipeline thread calls it: the engine hands each call to the command whose request needs the
    /// token, and that command runs it on its own pipeline thread while it waits (ProfileGraphCommand.WriteEngineEvents),
    /// so a connection used from another runspace (ForEach-Object -Parallel -Connection $using:c) runs it there.
    /// The script block therefore sees that runspace's variables, not those where it was written.
    /// </summary>
    internal sealed class TokenProviderScript
    {
        private readonly ScriptBlock _unbound;

        public TokenProviderScript(ScriptBlock scriptBlock)
        {
            _unbound = ((ScriptBlockAst)scriptBlock.Ast).GetScriptBlock();
        }

        /// <summary>Runs the script block on this (pipeline) thread and returns its last output as text; null when it gave none.</summary>
        public string? Invoke()
        {
            if (Runspace.DefaultRunspace == null)
            {
                throw new InvalidOperationException("The -AccessTokenProvider script block can run only on a PowerShell pipeline thread.");
            }

            System.Collections.ObjectModel.Collection<PSObject> output;
            try
            {
                output = _unbound.Invoke();
            }
            catch (PipelineStoppedException)
            {
                // Ctrl+C while it ran: the command is stopping, which is no failure of the provider.
                throw new OperationCanceledException();
            }

            var last = output.LastOrDefault(item => item != null && item.BaseObject != null);
            switch (last?.BaseObject)
            {
                case null:
                    return null;
                case string text:
                    return text;
                case SecureString secure:
                    return new NetworkCredential(string.Empty, secure).Password;
                default:
                    throw new InvalidOperationException("it returned a " + last.BaseObject.GetType().FullName + ", not the access token as a string or SecureString");
            }
        }
    }
}
