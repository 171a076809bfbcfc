import type { AuditRecord } from "../bindings/AuditRecord";
import type { Stage } from "../bindings/Stage";
import { t } from "./i18n.svelte";
import type { MessageKey } from "./messages/en";
import { STAGES } from "./releases";

const STAGE_NAMES = new Set<string>(STAGES);

function stageLabel(stage: string | null): string {
  return stage && STAGE_NAMES.has(stage) ? t(`stage.${stage as Stage}`) : (stage ?? "");
}

function parsed(text: string | null): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text ?? "");
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const FIELD_LABELS: Record<string, MessageKey> = {
  title: "form.title",
  key: "form.key",
  type: "form.type",
  owner: "form.owner",
  risk: "form.risk",
  planned_start: "form.planned_start",
  planned_end: "form.planned_end",
  requester: "form.requester",
  dev_docs: "form.dev_docs",
  ops_docs: "form.ops_docs",
};

/** One audit record as a sentence a person reads: "Anna moved REL-1 from Test to …". */
export function describeRecord(r: AuditRecord): string {
  const base = { actor: r.actor, key: r.entity_key };
  switch (r.action) {
    case "create":
      return t("history.create", base);
    case "update": {
      const label = r.field && FIELD_LABELS[r.field] ? t(FIELD_LABELS[r.field]!) : (r.field ?? "");
      return t("history.update", { ...base, field: label, before: r.before ?? "—", after: r.after ?? "—" });
    }
    case "move":
      return t("history.move", { ...base, from: stageLabel(r.before), to: stageLabel(r.after) });
    case "add_change":
      return t("history.add_change", { ...base, change: r.after ?? "" });
    case "remove_change":
      return t("history.remove_change", { ...base, change: r.before ?? "" });
    case "add_component": {
      const c = parsed(r.after);
      return t("history.add_component", { ...base, ci: String(c.ci ?? ""), version: String(c.to_version ?? "") });
    }
    case "remove_component": {
      const c = parsed(r.before);
      return t("history.remove_component", { ...base, ci: String(c.ci ?? "") });
    }
    case "edit_component": {
      const before = parsed(r.before);
      const after = parsed(r.after);
      return t("history.edit_component", {
        ...base,
        ci: String(after.ci ?? ""),
        before: String(before.to_version ?? "—"),
        after: String(after.to_version ?? "—"),
      });
    }
    case "decide": {
      const a = parsed(r.after);
      const decision = String(a.decision ?? "");
      const role = String(a.role ?? "");
      const decisionLabel = ["approve", "reject", "defer"].includes(decision)
        ? t(`decision.${decision as "approve" | "reject" | "defer"}`)
        : decision;
      const roleLabel = ["release_manager", "cab_member", "implementer"].includes(role)
        ? t(`role.${role as "release_manager" | "cab_member" | "implementer"}`)
        : role;
      const approver = String(a.approver ?? r.actor);
      // In a CAB meeting the person at the keyboard records what a member decided.
      if (approver !== r.actor) {
        return t("history.decide_for", { ...base, decision: decisionLabel, role: roleLabel, approver });
      }
      return t("history.decide", { ...base, decision: decisionLabel, role: roleLabel });
    }
    case "abort":
      return t("history.abort", { ...base, what: r.after ?? "" });
    case "task_started":
    case "task_finished":
    case "rollback_step_started":
    case "rollback_step_done":
      return t(`history.${r.action}`, { ...base, what: r.after ?? "" });
    case "plan_edit":
      return t("history.plan_edit", { ...base, before: r.before ?? "", after: r.after ?? "" });
    case "delete":
      return t("history.delete", base);
    case "restore":
      return t("history.restore", base);
    default:
      return t("history.other", { ...base, action: r.action });
  }
}
