using System.Runtime.InteropServices;

// Stand-in for the installed NVIDIA driver: load its libcuda.so.1 first. The loader then satisfies libggml-cuda.so's
// DT_NEEDED libcuda.so.1 by SONAME, as it would with the real driver in /usr/lib — never with the toolkit's stub.
NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory, "fake-driver", "libcuda.so.1"));
int result = Native.ggml_cuda_init();
Console.WriteLine($"ggml_cuda_init() = {result} (42 = the driver answered)");
return result == 42 ? 0 : 1;

internal static class Native
{
    [DllImport("ggml-cuda")]
    public static extern int ggml_cuda_init();
}
