package webui_test

import (
	"fmt"
	"testing"

	"vigil/gateway/browsertest"
)

// TestConsoleStationScaleModules: the pure helpers of the station-scale
// features, in the browser: dates, error words, audit details, pages and
// the tree's search match.
func TestConsoleStationScaleModules(t *testing.T) {
	b, _, base := startConsole(t)
	b.Navigate(base + "/")
	b.WaitVisible("#login-form", wait)
	b.Exec(`localStorage.setItem('vigil.lang', 'zh')`)
	cases := map[string]string{
		`import('/assets/datetime.js').then((m) => [m.formatDateTime(new Date(2026, 0, 5, 7, 8, 9)), m.formatDateTime('x'),
			m.parseDateTime('2026-01-05 07:08')?.getTime() === new Date(2026, 0, 5, 7, 8).getTime(),
			m.parseDateTime('2026-02-30 10:00'), m.parseDateTime('01/05/2026 7:08 PM')])`: "[2026-01-05 07:08:09  true <nil> <nil>]",
		`import('/assets/errors.js').then((m) => [m.errorText({status: 404, message: 'no such layout'}), m.errorText({status: 0}),
			m.errorText({status: 403, message: 'only operators may share layouts'}), m.errorText({status: 502}), m.messageText('no such wall'),
			m.messageText('tile must be 0 to 24')])`: "[布局不存在或无权查看 无法连接到网关，请检查网络。 无权执行此操作 网关内部错误 视频墙不存在或无权查看 tile must be 0 to 24]",
		`import('/assets/auditwords.js').then((m) => [m.detailWords({via: 'tile', tile: 2, quality: 'sub', ip: '10.0.0.5'}),
			m.detailWords({duration_s: 125, wall: 'main', cameras: ['a', '', 'b']}), m.detailWords(null)])`: "[方式 调度台窗格 · 窗格 3 · 码流 子码流 · 来源 IP 10.0.0.5 时长 2 分 5 秒 · 视频墙 main · 摄像机 a、b ]",
		`import('/assets/pager.js').then((m) => [m.pageCount(300, 25), m.pageCount(300, 16), m.pageCount(0, 9), m.pageOf(['a', 'b', 'c'], 2, 1).join()])`: "[12 19 1 c]",
		`import('/assets/tree.js').then((m) => {
			const cam = {id: 'bjx-plt-01', name: '站台 1', area: '站台', search: ['zhantai1', 'zt1', 'zhantai', 'zt']};
			const st = {id: 'bjx', name: '北京西站'};
			return ['zt', 'zhantai', 'zhan tai', 'plt', '站台', 'bgc', 'zz'].map((q) => m.matches(cam, st, q));
		})`: "[true true true true true false false]",
	}
	for expr, want := range cases {
		got := browsertest.MustEval[any](b, expr)
		if s := fmt.Sprint(got); s != want {
			t.Errorf("%s\n got %s\nwant %s", expr, s, want)
		}
	}
}
