using System;
using System.Management.Automation;
using ProfilePositions.Engine.Connection;

namespace ProfilePositions.Connections
{
    /// <summary>Links a context object to its live connection, so the context Connect-ProfileGraph writes works as -Connection.</summary>
    internal static class ContextHandles
    {
        /// <summary>A fresh copy of the connection's context that carries the connection.</summary>
        public static ProfileGraphContext ContextOf(ProfileGraphConnection connection)
        {
            var context = connection.Context;
            context.Connection = connection;
            return context;
        }

        public static ProfileGraphConnection? ConnectionOf(ProfileGraphContext? context) => context?.Connection as ProfileGraphConnection;
    }

    /// <summary>
    /// -Connection: the context that Connect-ProfileGraph or Get-ProfileGraphContext wrote in this process. A connection
    /// cannot leave its process (its tokens stay in memory), so a deserialised one (Start-Job, Export-Clixml, remoting)
    /// or one made by hand is refused here with what to do instead.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class ConnectionTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var wrapped = inputData as PSObject;
            var value = wrapped != null ? wrapped.BaseObject : inputData;
            if (value == null)
            {
                return null;
            }

            if (value is ProfileGraphContext context)
            {
                if (ContextHandles.ConnectionOf(context) == null)
                {
                    throw new ArgumentTransformationMetadataException(
                        "This context is not a live connection (it was made by hand or copied). Pass the object that Connect-ProfileGraph or Get-ProfileGraphContext wrote in this process.");
                }

                return context;
            }

            if (wrapped != null && wrapped.TypeNames.Contains("Deserialized." + typeof(ProfileGraphContext).FullName))
            {
                throw new ArgumentTransformationMetadataException(
                    "This connection was serialised (passed to Start-Job, Invoke-Command or Export-Clixml) and cannot be used: a connection and its tokens never leave the process that signed in. " +
                    "Run Connect-ProfileGraph in the job itself, or use Start-ThreadJob or ForEach-Object -Parallel with -Connection $using:connection, which share the process.");
            }

            throw new ArgumentTransformationMetadataException(
                "-Connection takes the object that Connect-ProfileGraph or Get-ProfileGraphContext wrote; got " + value.GetType().FullName + ".");
        }
    }
}
