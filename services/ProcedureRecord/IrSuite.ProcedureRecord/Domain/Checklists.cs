namespace IrSuite.ProcedureRecord.Domain;

/// <summary>WHO sign-in items, confirmed before sedation.</summary>
public sealed record SignInChecklist(bool IdentityAndConsentConfirmed, bool AllergiesReviewed, bool AnesthesiaCheckDone)
{
    /// <summary>The items not confirmed, by their request field names.</summary>
    public IReadOnlyList<string> Missing()
    {
        var missing = new List<string>();
        if (!IdentityAndConsentConfirmed)
        {
            missing.Add("identity_and_consent_confirmed");
        }

        if (!AllergiesReviewed)
        {
            missing.Add("allergies_reviewed");
        }

        if (!AnesthesiaCheckDone)
        {
            missing.Add("anesthesia_check_done");
        }

        return missing;
    }
}

/// <summary>WHO sign-out items, confirmed before the patient leaves the room.</summary>
public sealed record SignOutChecklist(bool RecordConfirmed, bool HandoverDone)
{
    /// <summary>The items not confirmed, by their request field names.</summary>
    public IReadOnlyList<string> Missing()
    {
        var missing = new List<string>();
        if (!RecordConfirmed)
        {
            missing.Add("record_confirmed");
        }

        if (!HandoverDone)
        {
            missing.Add("handover_done");
        }

        return missing;
    }
}
