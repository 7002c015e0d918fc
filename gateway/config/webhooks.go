package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"

	"vigil/streams/redact"
)

// Webhook is a receiver the gateway POSTs alarm events to, signed with
// Secret (X-Vigil-Signature).
type Webhook struct {
	ID     string `yaml:"id"`
	URL    string `yaml:"url"`
	Secret string `yaml:"secret"`
	// SecretFile holds the secret instead (a mounted secret); read once at
	// load, its trailing newline dropped.
	SecretFile string `yaml:"secret_file"`
	// Types are the alarm types sent to it; empty: every type. Rules may
	// send it others.
	Types []string `yaml:"types"`
}

// Takes reports whether the webhook is sent alarms of type typ.
func (w Webhook) Takes(typ string) bool {
	return len(w.Types) == 0 || slices.Contains(w.Types, typ)
}

// readWebhookSecrets fills the webhooks' secret_file secrets, as
// readSecretFiles does the cameras' passwords.
func (c *Config) readWebhookSecrets() error {
	k := &checker{lines: c.lines}
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		if w.SecretFile == "" {
			continue
		}
		key := fmt.Sprintf("webhooks[%d].secret_file", i)
		if w.Secret != "" {
			k.add(key, "", "give secret or secret_file, not both")
			continue
		}
		s, err := readSecret(w.SecretFile)
		if err != nil {
			k.add(key, w.SecretFile, "%v", err)
			continue
		}
		w.Secret = s
	}
	return errors.Join(k.errs...)
}

func (k *checker) webhooks(hooks []Webhook) {
	seen := map[string]string{}
	for i, w := range hooks {
		p := fmt.Sprintf("webhooks[%d]", i)
		k.id(p+".id", w.ID, seen)
		k.webhookURL(p+".url", w.URL)
		if w.Secret == "" {
			k.add(p+".secret", "", "a secret (or secret_file) is required: receivers check the signature with it")
		}
		k.alarmTypes(p+".types", w.Types)
	}
}

// webhookURL accepts http and https URLs with a host and no credentials
// (the secret signs; userinfo would end up in logs). The URL is quoted
// in errors with its credentials hidden.
func (k *checker) webhookURL(path, raw string) {
	u, err := url.Parse(raw)
	shown := redact.URL(raw) // a token in the query is a secret too
	switch {
	case raw == "":
		k.add(path, "", "is required")
	case err != nil:
		k.add(path, "", "not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		k.add(path, shown, "must be an http:// or https:// URL")
	case u.Host == "":
		k.add(path, shown, "must name a host")
	case u.User != nil:
		k.add(path, "", "must not carry credentials: the secret signs each POST")
	}
}

// alarmTypes checks a list of alarm types: each known, none twice.
func (k *checker) alarmTypes(path string, types []string) {
	listed := map[string]bool{}
	for i, t := range types {
		tp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !slices.Contains(AlarmTypes, t):
			k.add(tp, t, "unknown alarm type (one of %v)", AlarmTypes)
		case listed[t]:
			k.add(tp, t, "listed twice")
		}
		listed[t] = true
	}
}
