using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace NativeLinkGuard.PInvoke;

/// <summary>
/// Reads what a built assembly will ask the runtime for, from its metadata and IL (System.Reflection.Metadata, part
/// of the framework since .NET Core 3: no package): every P/Invoke (ImplMap row; LibraryImport's generated code
/// included), its <c>DefaultDllImportSearchPaths</c> (method, else assembly), and each <c>NativeLibrary.Load</c> /
/// <c>TryLoad</c> whose name is a literal or an app-relative path; other loads are reported as not checked.
/// </summary>
public static class AssemblyImportReader
{
    private const string InteropNamespace = "System.Runtime.InteropServices";

    /// <summary>Null when PATH is not a managed assembly (a native file, an apphost): nothing to read there.</summary>
    public static AssemblyImports? Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1,
                FileOptions.RandomAccess);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata) return null;
            var md = pe.GetMetadataReader();
            return Read(path, pe, md);
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or ArgumentException)
        {
            // Damaged metadata: the runtime would not load this assembly either; say so rather than guess.
            var load = new UncheckedLoad(Path.GetFileName(path), "(assembly)",
                $"its metadata cannot be read ({e.Message}): not checked");
            return new AssemblyImports(path, [], [load]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static AssemblyImports Read(string path, PEReader pe, MetadataReader md)
    {
        string assembly = Path.GetFileName(path);
        int? assemblyFlags = md.IsAssembly
            ? SearchPathsAttribute(md, md.GetAssemblyDefinition().GetCustomAttributes())
            : null;
        var imports = new List<NativeImport>();
        var unchecked_ = new List<UncheckedLoad>();
        foreach (var th in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(th);
            string typeName = md.GetString(type.Name);
            foreach (var mh in type.GetMethods())
            {
                var method = md.GetMethodDefinition(mh);
                string member = $"{typeName}.{md.GetString(method.Name)}";
                if ((method.Attributes & MethodAttributes.PinvokeImpl) != 0)
                {
                    var import = method.GetImport();
                    if (import.Module.IsNil) continue;
                    string module = md.GetString(md.GetModuleReference(import.Module).Name);
                    int? flags = SearchPathsAttribute(md, method.GetCustomAttributes()) ?? assemblyFlags;
                    imports.Add(new NativeImport(module, ImportKind.DllImport, flags, assembly, member));
                }
                else if (method.RelativeVirtualAddress != 0)
                    ScanBody(md, pe, method, assembly, member, assemblyFlags, imports, unchecked_);
            }
        }
        return new AssemblyImports(path, imports, unchecked_);
    }

    private static void ScanBody(MetadataReader md, PEReader pe, MethodDefinition method, string assembly,
        string member, int? assemblyFlags, List<NativeImport> imports, List<UncheckedLoad> unchecked_)
    {
        MethodBodyBlock body;
        try { body = pe.GetMethodBody(method.RelativeVirtualAddress); }
        catch (BadImageFormatException) { return; }
        var decoded = IlInstructions.Decode(body.GetILReader());
        var il = decoded.Instructions;
        ArgumentEvaluator? eval = null;
        for (int i = 0; i < il.Count; i++)
        {
            if (il[i].Opcode is not (0x28 or 0x6F)) continue;
            // Cheap first test on the token's table before resolving names: only member references leave the assembly.
            if (MethodCalls.Resolve(md, il[i].Operand) is not { TypeNamespace: InteropNamespace } m) continue;
            if (m.TypeName == "NativeLibrary" && m.Name is "SetDllImportResolver")
            {
                unchecked_.Add(new UncheckedLoad(assembly, member,
                    "registers a DllImportResolver: the names it resolves are decided by code, not checked"));
                continue;
            }
            if (m.TypeName != "NativeLibrary" || m.Name is not ("Load" or "TryLoad")) continue;
            eval ??= new ArgumentEvaluator(md, decoded);
            // Load(string) / TryLoad(string, out IntPtr): dlopen as given; with an Assembly: searched like a DllImport.
            bool withAssembly = m.Parameters >= 3;
            var name = eval.Producer(i, m.Parameters, 0) is { } p ? eval.String(p) : null;
            if (name is not { } n)
            {
                unchecked_.Add(new UncheckedLoad(assembly, member,
                    $"NativeLibrary.{m.Name} by a computed name: not checked"));
                continue;
            }
            int? flags = assemblyFlags;
            if (withAssembly && eval.Producer(i, m.Parameters, 2) is { } sp && eval.NullableInt(sp) is { } v) flags = v;
            var kind = withAssembly ? ImportKind.LoadWithAssembly : ImportKind.LoadByPath;
            imports.Add(new NativeImport(n.Text, kind, withAssembly ? flags : null, assembly, member)
            {
                AppRelative = n.AppRelative,
            });
        }
    }

    /// <summary>The value of a <c>[DefaultDllImportSearchPaths(x)]</c> among ATTRIBUTES, if there is one.</summary>
    private static int? SearchPathsAttribute(MetadataReader md, CustomAttributeHandleCollection attributes)
    {
        foreach (var h in attributes)
        {
            var a = md.GetCustomAttribute(h);
            var parent = a.Constructor.Kind switch
            {
                HandleKind.MemberReference => md.GetMemberReference((MemberReferenceHandle)a.Constructor).Parent,
                HandleKind.MethodDefinition =>
                    md.GetMethodDefinition((MethodDefinitionHandle)a.Constructor).GetDeclaringType(),
                _ => default,
            };
            if (parent.IsNil
                || MethodCalls.TypeName(md, parent) != (InteropNamespace, "DefaultDllImportSearchPathsAttribute"))
                continue;
            var blob = md.GetBlobReader(a.Value);
            if (blob.Length >= 6 && blob.ReadUInt16() == 1) return blob.ReadInt32();
        }
        return null;
    }
}
