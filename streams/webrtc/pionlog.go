package webrtc

import (
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// pionLogs routes pion's logging into slog. pion is chatty at warn level
// about things a gateway expects (viewers vanishing, sockets closing on
// shutdown), so its warnings become debug and its errors warnings.
type pionLogs struct{ log *slog.Logger }

func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With("pion", scope)}
}

type pionLogger struct{ log *slog.Logger }

func (l pionLogger) Trace(string)          {}
func (l pionLogger) Tracef(string, ...any) {}
func (l pionLogger) Debug(string)          {}
func (l pionLogger) Debugf(string, ...any) {}
func (l pionLogger) Info(string)           {}
func (l pionLogger) Infof(string, ...any)  {}
func (l pionLogger) Warn(msg string)       { l.log.Debug(msg) }
func (l pionLogger) Warnf(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...))
}
func (l pionLogger) Error(msg string) { l.log.Warn(msg) }
func (l pionLogger) Errorf(format string, args ...any) {
	l.log.Warn(fmt.Sprintf(format, args...))
}
