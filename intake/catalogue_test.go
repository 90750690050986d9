package intake

import "dvcbot/campaign"

// catalogue is the procedure list from the brief, in the order /giup shows it.
var catalogue = campaign.DefaultProcedures()

func ids(ps []campaign.Procedure) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}
