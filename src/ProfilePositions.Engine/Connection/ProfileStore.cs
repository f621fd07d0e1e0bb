using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Azure.Identity;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// What ContextScope CurrentUser keeps on disk, in the user's local application data folder (on Linux
    /// $XDG_DATA_HOME, else ~/.local/share; on Windows %LOCALAPPDATA%): the account record (which account, no secrets)
    /// in ProfilePositions/authrecord.json, and the MSAL token cache that Azure.Identity persists under the name
    /// profilepositions.msal.cache in .IdentityService (encrypted by the OS, or with -AllowUnencryptedTokenCache a
    /// plain file readable by its owner only). Disconnect removes both.
    /// </summary>
    internal static class ProfileStore
    {
        public const string TokenCacheName = "profilepositions.msal.cache";
        public const string RecordFileName = "authrecord.json";

        // Azure.Identity keeps one cache file per CAE mode next to the plain name.
        private static readonly string[] TokenCacheSuffixes = { string.Empty, ".cae", ".nocae" };

        /// <summary>Tests point this at a temporary folder: it then stands for the local application data folder.</summary>
        internal static string? DirectoryOverride { get; set; }

        /// <summary>The per-user folder both files live under; empty when the user has none (no HOME).</summary>
        public static string DataRoot => DirectoryOverride ?? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);

        public static string Directory => Path.Combine(DataRoot, "ProfilePositions");

        public static string RecordPath => Path.Combine(Directory, RecordFileName);

        /// <summary>Azure.Identity's folder for persisted token caches (its DefaultMsalTokenCacheDirectory).</summary>
        public static string TokenCacheDirectory => Path.Combine(DataRoot, ".IdentityService");

        /// <summary>Whether this user has a folder to keep things in (a service account without HOME may not).</summary>
        public static bool HasDataRoot => !string.IsNullOrEmpty(DataRoot) && Path.IsPathRooted(DataRoot);

        /// <summary>Where version 0.5.0 kept the account record (~/.profilepositions); still read and removed.</summary>
        private static string? LegacyRecordPath =>
            DirectoryOverride != null ? null : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".profilepositions", RecordFileName);

        /// <summary>The token cache files Azure.Identity may have written under <see cref="TokenCacheName"/>.</summary>
        public static IEnumerable<string> TokenCacheFiles()
        {
            foreach (var suffix in TokenCacheSuffixes)
            {
                yield return Path.Combine(TokenCacheDirectory, TokenCacheName + suffix);
            }
        }

        /// <summary>The saved account, or null when there is none or it cannot be read (then sign-in simply prompts).</summary>
        public static async Task<AuthenticationRecord?> LoadRecordAsync(CancellationToken cancellationToken)
        {
            foreach (var path in new[] { RecordPath, LegacyRecordPath })
            {
                if (path == null)
                {
                    continue;
                }

                try
                {
                    if (!File.Exists(path))
                    {
                        continue;
                    }

                    using var stream = File.OpenRead(path);
                    return await AuthenticationRecord.DeserializeAsync(stream, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is System.Text.Json.JsonException || ex is InvalidOperationException || ex is ArgumentException || ex is NullReferenceException || ex is FormatException)
                {
                    return null;
                }
            }

            return null;
        }

        /// <summary>Writes the account record readable by its owner only (the folder too), replacing the old one at once.</summary>
        public static async Task SaveRecordAsync(AuthenticationRecord record, CancellationToken cancellationToken)
        {
            OwnerOnly.CreateDirectory(Directory);
            var temporary = RecordPath + ".tmp";
            using (var stream = OwnerOnly.CreateFile(temporary))
            {
                await record.SerializeAsync(stream, cancellationToken).ConfigureAwait(false);
            }

            if (File.Exists(RecordPath))
            {
                File.Delete(RecordPath);
            }

            File.Move(temporary, RecordPath);
        }

        /// <summary>Removes the account record and the persisted token cache: what was removed, and what could not be.</summary>
        public static ForgottenSignIn Forget()
        {
            var removed = new List<string>();
            var problems = new List<string>();
            var candidates = new List<string> { RecordPath };
            if (LegacyRecordPath != null)
            {
                candidates.Add(LegacyRecordPath);
            }

            candidates.AddRange(TokenCacheFiles());
            if (DirectoryOverride == null)
            {
                // Where 0.5.0 looked as well (the user profile), in case a cache was ever written there.
                var profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                if (!string.IsNullOrEmpty(profile) && !string.Equals(profile, DataRoot, StringComparison.Ordinal))
                {
                    foreach (var suffix in TokenCacheSuffixes)
                    {
                        candidates.Add(Path.Combine(profile, ".IdentityService", TokenCacheName + suffix));
                    }
                }
            }

            foreach (var path in candidates)
            {
                try
                {
                    if (File.Exists(path))
                    {
                        File.Delete(path);
                        removed.Add(path);
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    problems.Add("Could not delete " + path + ": " + ex.Message + " Delete it yourself to forget the saved sign-in.");
                }
            }

            return new ForgottenSignIn(removed, problems);
        }
    }

    /// <summary>What Disconnect-ProfileGraph removed of a persisted sign-in (-ContextScope CurrentUser), and what it could not.</summary>
    public sealed class ForgottenSignIn
    {
        public ForgottenSignIn(IReadOnlyList<string> removed, IReadOnlyList<string> problems)
        {
            Removed = removed;
            Problems = problems;
        }

        /// <summary>The files deleted (account record, token cache).</summary>
        public IReadOnlyList<string> Removed { get; }

        /// <summary>One sentence per file that could not be deleted.</summary>
        public IReadOnlyList<string> Problems { get; }
    }
}
