package bot

// registerFlows builds the tables of the conversation flows: which handler
// answers typed text in each state, and which answers each kind of choice.
// Every flow (join, report, self-able, spot check) is listed here.
func (e *Engine) registerFlows() {
	e.states = map[string]func(*cx, string) error{
		// joining (join.go)
		stateJoinName:    (*cx).onJoinName,
		stateJoinConfirm: func(c *cx, _ string) error { return c.reaskMove() },
		// the guided report (report.go)
		stateReportName:      (*cx).onName,
		stateReportAddress:   (*cx).onAddress,
		stateReportPhone:     (*cx).onPhone,
		stateReportProcs:     (*cx).onProcsText,
		stateReportOther:     (*cx).onOther,
		stateReportDossier:   (*cx).onDossier,
		stateReportKnown:     (*cx).repeatStep,
		stateReportElsewhere: (*cx).repeatStep,
		stateReportConfirm:   (*cx).repeatStep,
		stateReportEdit:      (*cx).repeatStep,
		// a household able on its own (selfable.go)
		stateSelfName:    (*cx).onSelfName,
		stateSelfAddress: (*cx).onSelfAddress,
		stateSelfPhone:   (*cx).onSelfPhone,
		stateSelfConfirm: func(c *cx, _ string) error { c.askSelf(); return nil },
		// a spot-check result's reason (spotcheck.go)
		stateSpotReason: (*cx).onSpotReason,
	}
	e.callbacks = map[string]func(*cx, string) error{
		"j":      (*cx).onJoinButton,
		"r":      (*cx).onReportButton,
		"p":      (*cx).onProcButton,
		"undo":   (*cx).onUndo,
		"sa":     (*cx).onSelfButton,
		"saundo": (*cx).onSelfUndo,
		"kt":     (*cx).onSpotButton,
	}
}
