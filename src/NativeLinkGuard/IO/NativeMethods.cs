using System.Runtime.InteropServices;

namespace NativeLinkGuard;

/// <summary>The few libc calls .NET has no managed equivalent for.</summary>
internal static partial class NativeMethods
{
    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPathNative(IntPtr path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr p);

    /// <summary>Resolves every symlink component; null when the path does not exist or on a loop.</summary>
    public static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return Path.GetFullPath(path);
        IntPtr p = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            IntPtr r = RealPathNative(p, IntPtr.Zero);
            if (r == IntPtr.Zero) return null;
            try { return Marshal.PtrToStringUTF8(r); }
            finally { Free(r); }
        }
        finally
        {
            Marshal.FreeCoTaskMem(p);
        }
    }
}
