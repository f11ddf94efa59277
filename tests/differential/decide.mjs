// Reads a JSON array of request scenarios on stdin, decides each with @cloud-copilot/iam-simulate, and prints a
// JSON array of {"decision": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied", "ignoredContextKeys": [...]}
// or {"error": ...}, one per scenario, in order. Used by tests/test_policy_differential.py (one process per test run).
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const scenarios = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const out = []
for (const s of scenarios) {
  const simulation = {
    identityPolicies: s.identityPolicies.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: s.resourcePolicy,
    request: {
      action: s.action,
      principal: s.principal,
      resource: { accountId: s.resourceAccount, resource: s.resource },
      contextVariables: s.context
    }
  }
  try {
    const result = await runSimulation(simulation, {})
    if (result.resultType === 'error') {
      out.push({ error: result.errors })
    } else {
      const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys || [] : []
      out.push({ decision: result.overallResult, ignoredContextKeys: ignored })
    }
  } catch (e) {
    out.push({ error: String(e) })
  }
}
process.stdout.write(JSON.stringify(out))
