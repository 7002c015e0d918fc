package browsertest

import (
	"testing"
	"time"
)

const pressPage = `<!doctype html><meta charset="utf-8">
<button id="b" style="width:80px;height:40px">hold</button>
<p id="out"></p>
<script>
const out = document.querySelector('#out');
const b = document.querySelector('#b');
b.addEventListener('pointerdown', () => { out.textContent += 'down;'; });
b.addEventListener('pointerup', () => { out.textContent += 'up;'; });
</script>`

func TestPressHoldsUntilRelease(t *testing.T) {
	b := New(t)
	base := serve(t, map[string]string{"/{$}": pressPage})
	b.Navigate(base + "/")
	b.Press("#b")
	b.WaitFor(`document.querySelector('#out').textContent === 'down;'`, 5*time.Second)
	b.Release("#b")
	b.WaitFor(`document.querySelector('#out').textContent === 'down;up;'`, 5*time.Second)
}
