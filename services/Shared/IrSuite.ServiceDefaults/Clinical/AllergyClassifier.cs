using IrSuite.Contracts;

namespace IrSuite.ServiceDefaults.Clinical;

/// <summary>
/// Maps free-text allergies (as recorded at referral or consultation) to the <see cref="AllergyCodes"/> classes
/// that change what is done. Only the classes travel in events; the text stays in the recording service.
/// </summary>
public static class AllergyClassifier
{
    private static readonly (string Code, string[] Terms)[] Classes =
    [
        (AllergyCodes.Latex, ["latex"]),
        (AllergyCodes.IodinatedContrast, ["iod", "contrast", "contraste"]),
        (AllergyCodes.LocalAnesthetic, ["lidocaine", "lignocaine", "xylocaine", "ropivacaine", "bupivacaine", "local anaesthetic", "local anesthetic"]),
        (AllergyCodes.Chlorhexidine, ["chlorhexidine"]),
    ];

    /// <summary>Distinct classes, sorted; beta-lactam terms come from the site protocol.</summary>
    public static IReadOnlyList<string> Classify(IEnumerable<string> allergies, AntibioticRules antibiotics)
    {
        ArgumentNullException.ThrowIfNull(antibiotics);
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var allergy in allergies)
        {
            if (string.IsNullOrWhiteSpace(allergy))
            {
                continue;
            }

            var matched = false;
            if (antibiotics.IsBetaLactam(allergy))
            {
                codes.Add(AllergyCodes.BetaLactam);
                matched = true;
            }

            foreach (var (code, terms) in Classes)
            {
                if (terms.Any(t => allergy.Contains(t, StringComparison.OrdinalIgnoreCase)))
                {
                    codes.Add(code);
                    matched = true;
                }
            }

            if (!matched)
            {
                codes.Add(AllergyCodes.Other);
            }
        }

        return codes.ToList();
    }
}
