using System.Runtime.CompilerServices;

// The cmdlets attach a context to its live connection; nothing else may.
[assembly: InternalsVisibleTo("ProfilePositions")]
