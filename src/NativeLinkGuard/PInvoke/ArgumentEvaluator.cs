using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace NativeLinkGuard.PInvoke;

/// <summary>
/// A string the IL builds from literals; AppRelative: it started from <c>AppContext.BaseDirectory</c>.
/// </summary>
internal readonly record struct ConstantString(string Text, bool AppRelative);

/// <summary>
/// Finds which instruction pushed a call's argument by walking back over straight-line IL with known stack effects,
/// and folds the few expressions an app uses to name a library: a literal, <c>Path.Combine</c> and
/// <c>string.Concat</c> of literals and <c>AppContext.BaseDirectory</c>, a constant <c>DllImportSearchPath?</c>.
/// Anything else (a variable, a field, a value that a branch joins: <c>c ? "a" : "b"</c>) is "computed": the check
/// says so instead of guessing.
/// </summary>
internal sealed class ArgumentEvaluator(MetadataReader md, IlBody body)
{
    private readonly List<IlInstruction> _il = body.Instructions;

    /// <summary>
    /// The instruction that pushed argument K (0 = first) of the call at CALL taking COUNT stack values.
    /// </summary>
    public int? Producer(int call, int count, int k)
    {
        int need = count - k; // depth from the top of the stack just before the call
        for (int j = call - 1; j >= 0; j--)
        {
            // Code after J can be reached by a jump: the stack there may come from elsewhere.
            if (body.BranchTargets.Contains(_il[j + 1].Offset)) return null;
            if (Effect(_il[j]) is not var (pops, pushes)) return null;
            if (need <= pushes) return pushes == 1 ? j : null;
            need = need - pushes + pops;
        }
        return null;
    }

    public ConstantString? String(int producer, int depth = 0)
    {
        if (depth > 8) return null;
        var ins = _il[producer];
        if (ins.Opcode == 0x72)
            return new ConstantString(md.GetUserString(MetadataTokens.UserStringHandle(ins.Operand & 0xFFFFFF)), false);
        if (ins.Opcode is not (0x28 or 0x6F) || MethodCalls.Resolve(md, ins.Operand) is not { } m) return null;
        if (m.Is("System", "AppContext", "get_BaseDirectory")) return new ConstantString("", true);
        bool combine = m.Is("System.IO", "Path", "Combine") || m.Is("System.IO", "Path", "Join");
        bool concat = m.Is("System", "String", "Concat");
        if (!(combine || concat) || m.Parameters is < 2 or > 4) return null;
        var parts = new List<ConstantString>();
        for (int k = 0; k < m.Parameters; k++)
        {
            if (Producer(producer, m.Parameters, k) is not { } p || String(p, depth + 1) is not { } part) return null;
            parts.Add(part);
        }
        var result = parts[0];
        foreach (var part in parts.Skip(1))
        {
            if (combine && part.Text.StartsWith('/')) result = part; // Path.Combine restarts at a rooted part
            else if (combine && result.Text.Length > 0 && !result.Text.EndsWith('/'))
                result = result with { Text = result.Text + "/" + part.Text };
            else result = result with { Text = result.Text + part.Text };
        }
        return result;
    }

    /// <summary>A <c>DllImportSearchPath?</c> argument: <c>new Nullable(constant)</c>, else unknown (null).</summary>
    public int? NullableInt(int producer)
    {
        var ins = _il[producer];
        if (ins.Opcode != 0x73 || MethodCalls.Resolve(md, ins.Operand) is not { Parameters: 1 } m
            || m.TypeName != "Nullable`1")
            return null;
        return Producer(producer, 1, 0) is { } p ? Int(_il[p]) : null;
    }

    private static int? Int(IlInstruction ins) => ins.Opcode switch
    {
        >= 0x15 and <= 0x1E => ins.Opcode - 0x16,
        0x1F => (sbyte)ins.Operand,
        0x20 => ins.Operand,
        _ => null,
    };

    private (int Pops, int Pushes)? Effect(IlInstruction ins)
    {
        int op = ins.Opcode;
        switch (op)
        {
            case 0x00 or 0xFE16 or 0xFE12 or 0xFE13 or 0xFE14: return (0, 0);
            case >= 0x02 and <= 0x09 or 0x0E or 0x0F or 0x11 or 0x12 or >= 0x14 and <= 0x23 or 0x72 or 0x7E or 0x7F
                or 0xD0 or 0xFE06 or 0xFE09 or 0xFE0A or 0xFE0C or 0xFE0D or 0xFE1C:
                return (0, 1);
            case >= 0x0A and <= 0x0D or 0x10 or 0x13 or 0x26 or 0x80 or 0xFE0B or 0xFE0E or 0xFE15: return (1, 0);
            case 0x7B or 0x7C or 0x8C or 0x74 or 0x75 or 0xA5 or 0x79 or 0x71 or 0x8E or 0x8D or >= 0x46 and <= 0x50
                or >= 0x65 and <= 0x6E or >= 0xD1 and <= 0xD3 or 0x76 or >= 0x82 and <= 0x8B or >= 0xB3 and <= 0xBA:
                return (1, 1);
            case 0x7D: return (2, 0);
            case >= 0x58 and <= 0x64 or >= 0x90 and <= 0x9A or 0xA3: return (2, 1);
            case >= 0x9B and <= 0xA2 or 0xA4: return (3, 0);
            case 0x28 or 0x6F:
                return MethodCalls.Resolve(md, ins.Operand) is { } m
                    ? (m.Parameters + (m.HasThis ? 1 : 0), m.ReturnsValue ? 1 : 0)
                    : null;
            case 0x73:
                return MethodCalls.Resolve(md, ins.Operand) is { } c ? (c.Parameters, 1) : null;
            default: return null;
        }
    }
}
