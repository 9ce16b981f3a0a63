using IrSuite.ServiceDefaults.Messaging;

namespace IrSuite.Scheduling.Messaging;

// The endpoint policy of each scheduling consumer (retry of transient faults, then _error; decision 0008). Queue names
// come from the namespace-qualified formatter, so they differ from the other services' queues for the same event.
public sealed class ClearanceSignedConsumerDefinition : IrSuiteConsumerDefinition<ClearanceSignedConsumer>;

public sealed class ProcedureStartedConsumerDefinition : IrSuiteConsumerDefinition<ProcedureStartedConsumer>;

public sealed class ProcedureCompletedConsumerDefinition : IrSuiteConsumerDefinition<ProcedureCompletedConsumer>;

public sealed class ProcedureDiscontinuedConsumerDefinition : IrSuiteConsumerDefinition<ProcedureDiscontinuedConsumer>;

public sealed class ObservationStartedConsumerDefinition : IrSuiteConsumerDefinition<ObservationStartedConsumer>;

public sealed class ObservationMinimumElapsedConsumerDefinition : IrSuiteConsumerDefinition<ObservationMinimumElapsedConsumer>;

public sealed class PatientDischargedConsumerDefinition : IrSuiteConsumerDefinition<PatientDischargedConsumer>;

public sealed class EscalationRaisedConsumerDefinition : IrSuiteConsumerDefinition<EscalationRaisedConsumer>;

public sealed class SkinDoseFollowUpRequiredConsumerDefinition : IrSuiteConsumerDefinition<SkinDoseFollowUpRequiredConsumer>;

public sealed class PreAnestheticVisitRecordedConsumerDefinition : IrSuiteConsumerDefinition<PreAnestheticVisitRecordedConsumer>;

public sealed class ObservationRoundRecordedConsumerDefinition : IrSuiteConsumerDefinition<ObservationRoundRecordedConsumer>;

public sealed class EscalationResolvedConsumerDefinition : IrSuiteConsumerDefinition<EscalationResolvedConsumer>;
