namespace NativeLinkGuard.Runtime;

/// <summary>
/// Libraries the GPU driver installs on the machine that runs the program, not the toolkit: a build machine or a
/// CI runner without a GPU lacks them by design, so their absence is information (NLG0013), not an error.
/// </summary>
public static class DriverLibraries
{
    public static bool IsDriverProvided(string soname)
    {
        string n = System.IO.Path.GetFileName(soname);
        return n.StartsWith("libcuda.so", StringComparison.Ordinal)
            || n.StartsWith("libnvidia-", StringComparison.Ordinal)
            || n.StartsWith("libnvcuvid.so", StringComparison.Ordinal)
            || n.StartsWith("libcudadebugger.so", StringComparison.Ordinal)
            || n.StartsWith("libGLX_nvidia.so", StringComparison.Ordinal)
            || n.StartsWith("libEGL_nvidia.so", StringComparison.Ordinal);
    }
}
