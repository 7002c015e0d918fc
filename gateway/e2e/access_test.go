package e2e

import (
	"strings"
	"testing"

	"vigil/gateway/browsertest"
)

// An admin creates a dispatcher scoped to 北京南站 in the admin page; the
// dispatcher logs in in a fresh browser, must replace the initial password,
// and then sees that one station only.
func TestAdminCreatesScopedDispatcher(t *testing.T) {
	g := startGateway(t)
	const wait = browsertest.DefaultTimeout // a bound for what never comes, not a speed
	const initial, chosen = "initial-Passw0rd", "my-own-Passw0rd"

	admin := browsertest.New(t)
	admin.Navigate(g.URL() + "/")
	admin.WaitVisible("#login-form", wait)
	admin.Fill("#login-username", "admin")
	admin.Fill("#login-password", adminPassword)
	admin.Click("#login-submit")
	admin.WaitVisible("#console-view", wait)

	admin.Click("#nav-admin")
	admin.WaitVisible("#admin-view", wait)
	admin.WaitFor(`document.querySelector('#users-table tr[data-user="admin"]') !== null`, wait)
	if !browsertest.MustEval[bool](admin, `document.querySelector('#live-view').hidden`) {
		t.Error("the live view still shows under the admin page")
	}
	admin.WaitFor(`document.querySelectorAll('#admin-view').length === 1`, wait)
	admin.Click("#admin-new-user")
	admin.WaitVisible("#user-dialog", wait)
	admin.Fill("#user-form-username", "bjn.disp")
	admin.Fill("#user-form-password", initial)
	admin.Exec(`const r = document.querySelector('#user-form-role'); r.value = 'dispatcher'; r.dispatchEvent(new Event('change'))`)
	admin.Click("#user-form-scope-some")
	admin.WaitVisible(`input[name="station"][value="bjn"]`, wait)
	admin.Click(`input[name="station"][value="bjn"]`)
	admin.Click("#user-dialog-submit")
	admin.WaitFor(`document.querySelector('#user-dialog') === null`, wait)
	row := `#users-table tr[data-user="bjn.disp"]`
	admin.WaitFor(`document.querySelector('`+row+`') !== null`, wait)
	if got := admin.Text(row); !strings.Contains(got, "北京南站") || !strings.Contains(got, "调度员") || strings.Contains(got, "北京西站") {
		t.Errorf("new user's row: %q", got)
	}
	// The audit page shows the creation.
	admin.Click("#nav-audit")
	admin.WaitFor(`document.querySelector('#audit-table tr[data-action="user.create"]') !== null`, wait)
	for _, e := range admin.Errors(expectedError) {
		t.Errorf("admin page error: %s (%s)", e, e.URL)
	}
	admin.Close()

	disp := browsertest.New(t) // a fresh browser: no cookie of the admin
	disp.Navigate(g.URL() + "/")
	disp.WaitVisible("#login-form", wait)
	disp.Fill("#login-username", "bjn.disp")
	disp.Fill("#login-password", initial)
	disp.Click("#login-submit")
	disp.WaitVisible("#password-dialog", wait)
	disp.Fill("#password-old", initial)
	disp.Fill("#password-new", chosen)
	disp.Fill("#password-confirm", chosen)
	disp.Click("#password-submit")
	disp.WaitVisible("#console-view", wait)
	disp.WaitFor(`document.querySelectorAll('#tree .station').length >= 1`, wait)
	names := browsertest.MustEval[[]string](disp, `[...document.querySelectorAll('#tree .station-name')].map(e => e.textContent)`)
	if len(names) != 1 || names[0] != "北京南站" {
		t.Fatalf("the dispatcher's tree shows %v, want only 北京南站", names)
	}
	cams := browsertest.MustEval[[]string](disp, `[...document.querySelectorAll('[data-camera]')].map(e => e.dataset.camera)`)
	for _, c := range cams {
		if !strings.HasPrefix(c, "bjn-") {
			t.Errorf("camera %s of another station in the console", c)
		}
	}
	if browsertest.MustEval[bool](disp, `document.querySelector('#nav-admin') !== null`) {
		t.Error("a dispatcher sees the admin link")
	}
	for _, e := range disp.Errors(expectedError) {
		t.Errorf("dispatcher page error: %s (%s)", e, e.URL)
	}
}
