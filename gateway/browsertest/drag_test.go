package browsertest

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
)

const dragPage = `<!doctype html><meta charset="utf-8">
<div id="src" draggable="true" style="width:80px;height:40px;background:#c33">drag</div>
<div id="dst" style="margin-top:60px;width:120px;height:60px;background:#33c">drop</div>
<p id="out"></p>
<script>
const out = document.querySelector('#out');
const log = (s) => { out.textContent += s + ';'; };
document.querySelector('#src').addEventListener('dragstart', (e) => e.dataTransfer.setData('application/x-test', 'cam-1'));
const dst = document.querySelector('#dst');
dst.addEventListener('dragover', (e) => e.preventDefault());
dst.addEventListener('drop', (e) => { e.preventDefault(); log('drop ' + e.dataTransfer.getData('application/x-test')); });
dst.addEventListener('dblclick', () => log('dblclick'));
document.addEventListener('keydown', (e) => log('key ' + e.key));
</script>`

func TestDragDoubleClickKey(t *testing.T) {
	b := New(t)
	base := serve(t, map[string]string{"/{$}": dragPage})
	b.Navigate(base + "/")
	b.Drag("#src", "#dst")
	b.DoubleClick("#dst")
	b.Key("5")
	b.Key(kb.Escape)
	b.WaitFor(`document.querySelector('#out').textContent.includes('Escape')`, 5*time.Second)
	if got := b.Text("#out"); got != "drop cam-1;dblclick;key 5;key Escape;" {
		t.Errorf("events %q", got)
	}
}
