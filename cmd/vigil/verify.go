package main

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"vigil/streams/evidence"
)

// runVerify is `vigil verify [-data DIR] CLIP.mp4 [MANIFEST]`: it checks
// the clip against its signed manifest (by default the .manifest.json
// beside it) and prints "intact", or fails with the reason. With the
// gateway's key in DIR the signature must be that key's; without it, the
// manifest's own key is used, which proves the clip unchanged since
// signing but not who signed it, and a note says so.
func runVerify(args []string, stdout io.Writer) error {
	fset := flag.NewFlagSet("vigil verify", flag.ContinueOnError)
	dataDir := fset.String("data", "./data", "data directory holding the gateway's evidence key")
	fset.Usage = func() {
		fmt.Fprintln(fset.Output(), "usage: vigil verify [-data DIR] CLIP.mp4 [MANIFEST]")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() < 1 || fset.NArg() > 2 {
		fset.Usage()
		return errors.New("verify: give a clip and optionally its manifest")
	}
	clip := fset.Arg(0)
	manifest := evidence.ManifestPath(clip)
	if fset.NArg() == 2 {
		manifest = fset.Arg(1)
	}
	key, err := trustedKey(*dataDir)
	if err != nil {
		return err
	}
	if key == nil {
		fmt.Fprintf(stdout, "note: no gateway key in %s: checked against the manifest's own key, "+
			"which shows the clip is unchanged since signing but not which gateway signed it\n", *dataDir)
		err = evidence.Verify(clip, manifest)
	} else {
		err = evidence.VerifyTrusted(clip, manifest, key)
	}
	if err != nil {
		return fmt.Errorf("verify FAILED: %w", err)
	}
	return reportDoubts(stdout, manifest)
}

// reportDoubts prints what the verified clip's manifest does not vouch
// for. A clip cut from a tampered recording is what was signed but is no
// intact record: that fails.
func reportDoubts(stdout io.Writer, manifest string) error {
	m, err := evidence.ReadManifest(manifest)
	if err != nil {
		return fmt.Errorf("verify FAILED: %w", err)
	}
	lines, tampered := m.Doubts()
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	if tampered {
		return errors.New("verify FAILED: the clip is unchanged since signing, but the recording it was cut " +
			"from had been tampered with: the parts listed were left out")
	}
	if len(lines) > 0 {
		fmt.Fprintln(stdout, "intact, apart from the parts listed")
		return nil
	}
	fmt.Fprintln(stdout, "intact")
	return nil
}

// trustedKey loads the gateway's public key from dir without creating a
// key when there is none (nil then).
func trustedKey(dir string) (ed25519.PublicKey, error) {
	if _, err := os.Stat(filepath.Join(dir, evidence.KeyFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	k, err := evidence.LoadOrCreateKey(dir)
	if err != nil {
		return nil, fmt.Errorf("verify: gateway key: %w", err)
	}
	return k.Public(), nil
}
