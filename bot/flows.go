package bot

// flowAccess says who may continue a flow: every typed answer and every
// tap is checked again against the person's role now, so someone whose
// rights were taken away in the middle of a conversation (demoted by
// /capquyen, removed from configuration) cannot finish it.
var flowAccess = map[string]access{
	stateJoinName: anyone, stateJoinConfirm: member, "j": member,
	stateReportName: reporter, stateReportAddress: reporter, stateReportPhone: reporter, stateReportProcs: reporter,
	stateReportOther: reporter, stateReportDossier: reporter, stateReportKnown: reporter, stateReportElsewhere: reporter,
	stateReportConfirm: reporter, stateReportEdit: reporter, "r": reporter, "p": reporter, "undo": reporter,
	stateSelfName: reporter, stateSelfAddress: reporter, stateSelfPhone: reporter, stateSelfConfirm: reporter,
	"sa": reporter, "saundo": reporter,
	stateSpotReason: checker, "kt": checker,
	stateExcludeGround: admin, stateExcludeDetails: admin, "lt": admin,
	stateRunConfirm: admin, "run": admin,
}

// mayContinue reports whether the person may go on with a state or a kind
// of choice; when not, the conversation is dropped and they are told.
func (c *cx) mayContinue(key string) bool {
	need, ok := flowAccess[key]
	if !ok || c.may(need) {
		return true
	}
	c.s.endFlow()
	c.reply("Anh/chị không có quyền tiếp tục việc này (có thể vai trò đã thay đổi), nên thao tác đang làm đã được hủy và không có gì được lưu. Gõ /giup để xem các lệnh của anh/chị.")
	return false
}

// registerFlows builds the tables of the conversation flows: which handler
// answers typed text in each state, and which answers each kind of choice.
// Every flow (join, report, self-able, spot check, exclusion) is listed here.
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
		// confirming a /chay run (posts.go)
		stateRunConfirm: (*cx).repeatRun,
		// an exclusion's ground and details (exclusion.go)
		stateExcludeGround:  (*cx).onGroundText,
		stateExcludeDetails: (*cx).onExcludeDetails,
	}
	e.callbacks = map[string]func(*cx, string) error{
		"j":      (*cx).onJoinButton,
		"r":      (*cx).onReportButton,
		"p":      (*cx).onProcButton,
		"undo":   (*cx).onUndo,
		"sa":     (*cx).onSelfButton,
		"saundo": (*cx).onSelfUndo,
		"kt":     (*cx).onSpotButton,
		"run":    (*cx).onRunButton,
		"lt":     (*cx).onExcludeButton,
	}
}
