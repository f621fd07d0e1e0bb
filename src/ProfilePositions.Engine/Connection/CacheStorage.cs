namespace ProfilePositions.Engine.Connection
{
    /// <summary>Where a sign-in's token cache lives.</summary>
    internal enum CacheStorage
    {
        /// <summary>In memory, for this process only (-ContextScope Process, or CurrentUser where nothing can be kept).</summary>
        None,

        /// <summary>On disk, encrypted by the OS: DPAPI on Windows, the Keychain on macOS, a keyring (libsecret) on Linux.</summary>
        Encrypted,

        /// <summary>On disk in a plain file readable by its owner only (-AllowUnencryptedTokenCache, where there is no encrypted store).</summary>
        Unencrypted,
    }
}
