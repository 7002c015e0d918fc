package deploy

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// rendered is a chart's output decoded into the Kubernetes API types.
type rendered struct {
	statefulSets   []appsv1.StatefulSet
	deployments    []appsv1.Deployment
	services       []corev1.Service
	configMaps     []corev1.ConfigMap
	secrets        []corev1.Secret
	pdbs           []policyv1.PodDisruptionBudget
	serviceMonitor []map[string]any // a CRD: checked by hand
}

// decodeAll splits helm template's output and decodes each object
// strictly: an unknown or misspelt field, or a duplicate key, fails the
// test, as the API server's strict field validation would refuse it.
func decodeAll(t *testing.T, out string) *rendered {
	t.Helper()
	r := &rendered{}
	for _, doc := range strings.Split(out, "\n---") {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var meta struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("%v in\n%s", err, doc)
		}
		var err error
		switch meta.APIVersion + " " + meta.Kind {
		case "apps/v1 StatefulSet":
			err = decodeInto(doc, &r.statefulSets)
		case "apps/v1 Deployment":
			err = decodeInto(doc, &r.deployments)
		case "v1 Service":
			err = decodeInto(doc, &r.services)
		case "v1 ConfigMap":
			err = decodeInto(doc, &r.configMaps)
		case "v1 Secret":
			err = decodeInto(doc, &r.secrets)
		case "policy/v1 PodDisruptionBudget":
			err = decodeInto(doc, &r.pdbs)
		case "monitoring.coreos.com/v1 ServiceMonitor":
			err = decodeInto(doc, &r.serviceMonitor)
		default:
			t.Fatalf("unexpected object %s %s", meta.APIVersion, meta.Kind)
		}
		if err != nil {
			t.Fatalf("%s: %v in\n%s", meta.Kind, err, doc)
		}
	}
	return r
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func decodeInto[T any](doc string, list *[]T) error {
	var v T
	if err := yaml.UnmarshalStrict([]byte(doc), &v); err != nil {
		return err
	}
	*list = append(*list, v)
	return nil
}

// podTemplates are every workload's pod templates by workload name.
func (r *rendered) podTemplates() map[string]corev1.PodTemplateSpec {
	m := map[string]corev1.PodTemplateSpec{}
	for _, s := range r.statefulSets {
		m["StatefulSet/"+s.Name] = s.Spec.Template
	}
	for _, d := range r.deployments {
		m["Deployment/"+d.Name] = d.Spec.Template
	}
	return m
}

func (r *rendered) statefulSet(name string) (appsv1.StatefulSet, bool) {
	for _, s := range r.statefulSets {
		if s.Name == name {
			return s, true
		}
	}
	return appsv1.StatefulSet{}, false
}

func (r *rendered) service(name string) (corev1.Service, bool) {
	for _, s := range r.services {
		if s.Name == name {
			return s, true
		}
	}
	return corev1.Service{}, false
}

// selects reports whether every label of sel is on labels.
func selects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false // selects everything or nothing: never what the chart means
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}
