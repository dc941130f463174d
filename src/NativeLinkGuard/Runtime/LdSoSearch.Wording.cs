using NativeLinkGuard.Resolution;

namespace NativeLinkGuard.Runtime;

/// <summary>The wordings of search traces and of listed lookups' rules, each made once.</summary>
internal sealed partial class LdSoSearch
{
    // A trace says the same few things for every directory of every failed search, and a listing the same rule for
    // a million lookups: each wording is made once.
    private readonly Dictionary<(SearchRule, string?), string> _ruleTexts = new();
    private readonly Dictionary<string, string> _noFile = new(StringComparer.Ordinal);

    public string RuleText(SearchRule rule, string? owner)
    {
        if (!_ruleTexts.TryGetValue((rule, owner), out var text))
            _ruleTexts[(rule, owner)] = text = SearchAttempt.Describe(rule, owner);
        return text;
    }

    private string NoFile(string name)
    {
        if (!_noFile.TryGetValue(name, out var text)) _noFile[name] = text = $"no {name}";
        return text;
    }
}
