package web

import (
	"dvcbot/config"
	"dvcbot/scoring"
)

// ConfigOptions are the Options that the configuration gives: web.*
// keys, the campaign's name, time zone and procedures, and the scoring
// rules the bot uses (params, as cmd/dvcbot builds them). The caller adds
// Resolve, Dossier, Photo and Logger.
func ConfigOptions(cfg *config.Config, params scoring.Params) Options {
	return Options{
		PublicURL:    cfg.Web.PublicURL,
		CampaignName: cfg.Campaign.Name,
		Params:       params,
		Location:     cfg.Loc(),
		Procedures:   cfg.Procedures,
		LinkTTL:      cfg.Web.LinkTTL,
		FileTTL:      cfg.Web.FileTTL,
		FileUses:     cfg.Web.FileUses,
		FilesDir:     cfg.Web.FilesDir,
	}
}
