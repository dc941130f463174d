using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace NativeLinkGuard.PInvoke;

/// <summary>
/// A method a call or newobj names: declaring type, name, parameter count (without this), has this, returns a value.
/// </summary>
internal readonly record struct CalledMethod(
    string TypeNamespace,
    string TypeName,
    string Name,
    int Parameters,
    bool HasThis,
    bool ReturnsValue)
{
    public bool Is(string ns, string type, string name) => TypeNamespace == ns && TypeName == type && Name == name;
}

/// <summary>Reads what a call token refers to (MethodDef, MemberRef, MethodSpec), from the metadata alone.</summary>
internal static class MethodCalls
{
    public static CalledMethod? Resolve(MetadataReader md, int token)
    {
        try
        {
            var handle = MetadataTokens.EntityHandle(token);
            switch (handle.Kind)
            {
                case HandleKind.MethodDefinition:
                {
                    var m = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                    var t = md.GetTypeDefinition(m.GetDeclaringType());
                    return Make(md, md.GetString(t.Namespace), md.GetString(t.Name), md.GetString(m.Name), m.Signature);
                }
                case HandleKind.MemberReference:
                {
                    var r = md.GetMemberReference((MemberReferenceHandle)handle);
                    var (ns, name) = TypeName(md, r.Parent);
                    return Make(md, ns, name, md.GetString(r.Name), r.Signature);
                }
                case HandleKind.MethodSpecification:
                {
                    var s = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return Resolve(md, MetadataTokens.GetToken(s.Method));
                }
                default:
                    return null;
            }
        }
        catch (BadImageFormatException) { return null; }
    }

    public static (string Namespace, string Name) TypeName(MetadataReader md, EntityHandle type)
    {
        switch (type.Kind)
        {
            case HandleKind.TypeReference:
                var tr = md.GetTypeReference((TypeReferenceHandle)type);
                return (md.GetString(tr.Namespace), md.GetString(tr.Name));
            case HandleKind.TypeDefinition:
                var td = md.GetTypeDefinition((TypeDefinitionHandle)type);
                return (md.GetString(td.Namespace), md.GetString(td.Name));
            case HandleKind.TypeSpecification:
                // A generic instantiation (Nullable<DllImportSearchPath>): its generic type definition.
                var blob = md.GetBlobReader(md.GetTypeSpecification((TypeSpecificationHandle)type).Signature);
                if (blob.ReadSignatureTypeCode() == SignatureTypeCode.GenericTypeInstance)
                {
                    blob.ReadSignatureTypeCode(); // class or valuetype
                    return TypeName(md, blob.ReadTypeHandle());
                }
                return ("", "");
            default:
                return ("", "");
        }
    }

    private static CalledMethod? Make(MetadataReader md, string ns, string type, string name, BlobHandle signature)
    {
        var blob = md.GetBlobReader(signature);
        var header = blob.ReadSignatureHeader();
        if (header.IsGeneric) blob.ReadCompressedInteger();
        int count = blob.ReadCompressedInteger();
        var ret = blob.ReadSignatureTypeCode();
        while (ret is SignatureTypeCode.RequiredModifier or SignatureTypeCode.OptionalModifier)
        {
            blob.ReadTypeHandle();
            ret = blob.ReadSignatureTypeCode();
        }
        return new CalledMethod(ns, type, name, count, header.IsInstance, ret != SignatureTypeCode.Void);
    }
}
