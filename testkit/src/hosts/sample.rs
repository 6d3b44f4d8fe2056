//! A manifest set for the unit tests.

use serde_json::{json, Value};

/// A small manifest set in the generator's shape: a Namespace, a headless Service, a
/// StatefulSet of two producers from 1 with keys from Secrets, the chain spec in a projected
/// ConfigMap, and a Job.
pub(super) fn objects() -> Vec<(String, Value)> {
	let meta = |name: &str| json!({ "name": name, "namespace": "plexus" });
	let env = json!([{ "name": "POD_NAME", "valueFrom": { "fieldRef": { "fieldPath": "metadata.name" } } }]);
	let mounts = json!([
		{ "name": "chain-spec-parts", "mountPath": "/var/lib/plexus/chain-spec-parts" },
		{ "name": "session-1", "mountPath": "/var/lib/plexus/keys/alpha-producer-1" },
		{ "name": "data", "mountPath": "/var/lib/plexus/data" },
		{ "name": "tmp", "mountPath": "/tmp" }
	]);
	let secret = |pod: &str| {
		json!({
			"apiVersion": "v1", "kind": "Secret", "metadata": meta(&format!("{pod}-keys")), "type": "Opaque",
			"stringData": { "session": format!("phrase of {pod}"), "node-key": "00" }
		})
	};
	vec![
		(
			"namespace.yaml".into(),
			json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": "plexus" } }),
		),
		(
			"networks/alpha/service.yaml".into(),
			json!({
				"apiVersion": "v1", "kind": "Service", "metadata": meta("alpha"),
				"spec": { "clusterIP": "None", "publishNotReadyAddresses": true, "selector": { "plexus/network": "alpha" },
					"ports": [{ "name": "p2p", "port": 30333 }] }
			}),
		),
		(
			"networks/alpha/chain-spec.configmap.yaml".into(),
			json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("alpha-chain-spec"), "data": { "parts": "1", "sha256": "ab" } }),
		),
		(
			"networks/alpha/chain-spec-1.configmap.yaml".into(),
			json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("alpha-chain-spec-1"), "binaryData": { "part": "AP8=" } }),
		),
		("networks/alpha/alpha-producer-1-keys.secret.yaml".into(), secret("alpha-producer-1")),
		(
			"networks/alpha/producer.statefulset.yaml".into(),
			json!({
				"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("alpha-producer"),
				"spec": {
					"serviceName": "alpha", "replicas": 2, "ordinals": { "start": 1 }, "podManagementPolicy": "Parallel",
					"selector": { "matchLabels": { "plexus/network": "alpha", "plexus/role": "producer" } },
					"volumeClaimTemplates": [{ "metadata": { "name": "data" }, "spec": {} }],
					"template": {
						"metadata": { "labels": { "plexus/network": "alpha", "plexus/role": "producer" },
							"annotations": { "prometheus.io/port": "9615" } },
						"spec": {
							"securityContext": { "runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001 },
							"volumes": [
								{ "name": "chain-spec-parts", "projected": { "sources": [
									{ "configMap": { "name": "alpha-chain-spec" } },
									{ "configMap": { "name": "alpha-chain-spec-1", "items": [{ "key": "part", "path": "part-1" }] } }
								] } },
								{ "name": "session-1", "secret": { "secretName": "alpha-producer-1-keys", "items": [{ "key": "session", "path": "session" }], "defaultMode": 288 } },
								{ "name": "tmp", "emptyDir": {} }
							],
							"initContainers": [{
								"name": "keys", "image": "plexus-node:test", "command": ["/usr/local/bin/plexus-node"], "env": env,
								"args": ["key", "insert", "--suri", "/var/lib/plexus/keys/$(POD_NAME)/session", "$$(POD_NAME)"],
								"volumeMounts": mounts
							}],
							"containers": [{
								"name": "node", "image": "plexus-node:test", "env": env, "args": ["--name", "$(POD_NAME)"],
								"ports": [{ "name": "rpc", "containerPort": 9944 }],
								"readinessProbe": { "httpGet": { "path": "/health/readiness", "port": "rpc" }, "periodSeconds": 10 },
								"securityContext": { "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": { "drop": ["ALL"] } },
								"volumeMounts": [{ "name": "data", "mountPath": "/var/lib/plexus/data" }]
							}]
						}
					}
				}
			}),
		),
		(
			"bridges/alpha-beta/init.job.yaml".into(),
			json!({
				"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("init-alpha-beta-0123abcd"),
				"spec": { "backoffLimit": 10, "template": { "spec": { "restartPolicy": "OnFailure",
					"containers": [{ "name": "init", "image": "plexus-node:test", "args": ["bridge-init"],
						"env": [{ "name": "NS", "valueFrom": { "fieldRef": { "fieldPath": "metadata.namespace" } } }, { "name": "AT", "value": "in $(NS)" }] }] } } }
			}),
		),
	]
}
