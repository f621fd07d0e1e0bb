using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Azure.Identity;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// What ContextScope CurrentUser keeps on disk: the account record (which account, no secrets) in
    /// ~/.profilepositions/authrecord.json, and the MSAL token cache that Azure.Identity persists under the name
    /// profilepositions.msal.cache. Disconnect removes both.
    /// </summary>
    internal static class ProfileStore
    {
        public const string TokenCacheName = "profilepositions.msal.cache";
        public const string RecordFileName = "authrecord.json";

        /// <summary>Tests point this at a temporary folder.</summary>
        internal static string? DirectoryOverride { get; set; }

        public static string Directory => DirectoryOverride ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".profilepositions");

        public static string RecordPath => Path.Combine(Directory, RecordFileName);

        /// <summary>The saved account, or null when there is none or it cannot be read (then sign-in simply prompts).</summary>
        public static async Task<AuthenticationRecord?> LoadRecordAsync(CancellationToken cancellationToken)
        {
            try
            {
                if (!File.Exists(RecordPath))
                {
                    return null;
                }

                using var stream = File.OpenRead(RecordPath);
                return await AuthenticationRecord.DeserializeAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is System.Text.Json.JsonException || ex is InvalidOperationException || ex is ArgumentException || ex is NullReferenceException || ex is FormatException)
            {
                return null;
            }
        }

        public static async Task SaveRecordAsync(AuthenticationRecord record, CancellationToken cancellationToken)
        {
            System.IO.Directory.CreateDirectory(Directory);
            var temporary = RecordPath + ".tmp";
            using (var stream = File.Create(temporary))
            {
                await record.SerializeAsync(stream, cancellationToken).ConfigureAwait(false);
            }

            if (File.Exists(RecordPath))
            {
                File.Delete(RecordPath);
            }

            File.Move(temporary, RecordPath);
        }

        /// <summary>Removes the account record and the persisted token cache; returns what could not be removed.</summary>
        public static IReadOnlyList<string> Forget()
        {
            var problems = new List<string>();
            try
            {
                if (File.Exists(RecordPath))
                {
                    File.Delete(RecordPath);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                problems.Add("Could not delete " + RecordPath + ": " + ex.Message);
            }

            // Azure.Identity keeps the persisted cache in %LOCALAPPDATA%\.IdentityService (files, encrypted on Windows)
            // and, when unencrypted storage is allowed, in the same folder elsewhere; one file per CAE mode.
            foreach (var folder in new[] { Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) })
            {
                if (string.IsNullOrEmpty(folder))
                {
                    continue;
                }

                foreach (var suffix in new[] { string.Empty, ".cae", ".nocae" })
                {
                    var path = Path.Combine(folder, ".IdentityService", TokenCacheName + suffix);
                    try
                    {
                        if (File.Exists(path))
                        {
                            File.Delete(path);
                        }
                    }
                    catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                    {
                        problems.Add("Could not delete the token cache " + path + ": " + ex.Message);
                    }
                }
            }

            return problems;
        }
    }
}
