// Package deploy holds the tests of vigil's packaging: the Helm chart
// (helm/vigil) rendered by the real Helm and decoded strictly into the
// Kubernetes API types, and the systemd unit (systemd/) checked by
// systemd-analyze. It is a module of its own so that Helm and k8s.io stay
// out of vigil's go.mod; vigil itself comes in through a replace, for its
// config parser.
package deploy
