/**
 * Warming every member of the mybinder.org federation.
 *
 * A mybinder.org launch is redirected (weighted, at random) to one member, and each member keeps its own
 * image registry, expiring images nobody launched for a while. Asking mybinder.org once warms one member;
 * asking each member's own `/build/` warms them all.
 */
import { HubAllowance } from "../hub/rateLimit";
import { buildEndpoint, MemberWarmup, warmMember } from "../hub/build";
import { escapeUnprintable } from "../text/printable";
import { DEFAULT_WARMUP_TIMEOUT_S } from "./options";

export interface BranchWarmup {
    /** `<owner>/<repo>` */
    repository: string;
    /** The commit or branch warmed. */
    ref: string;
    /** One result per hub, in the order the hubs were given. */
    members: MemberWarmup[];
}

export interface FederationWarmupRequest {
    owner: string;
    repository: string;
    /** Warmed in this order on each hub. */
    refs: string[];
    hubs: string[];
    /** Per ref and hub, rate-limit waits included. */
    timeoutS?: number;
    onPhase?: (hub: string, ref: string, phase: string, message: string, elapsedSeconds: number) => void;
}

/**
 * Asks every hub to build every ref. Hubs are independent and asked in parallel; on one hub the refs are
 * asked one after the other, sharing that hub's allowance, so a run never asks more than the hub allows.
 */
export async function warmFederation(request: FederationWarmupRequest): Promise<BranchWarmup[]> {
    // Every name is checked before the first request, so a bad ref never leaves some hubs asked.
    for (const hub of request.hubs) for (const ref of request.refs) buildEndpoint(request.owner, request.repository, ref, hub);
    const perHub = await Promise.all(
        request.hubs.map(async (hub) => {
            const allowance = new HubAllowance();
            const results: MemberWarmup[] = [];
            for (const ref of request.refs) {
                results.push(
                    await warmMember({
                        owner: request.owner,
                        repository: request.repository,
                        ref,
                        hub,
                        timeoutS: request.timeoutS ?? DEFAULT_WARMUP_TIMEOUT_S,
                        allowance,
                        onPhase: request.onPhase && ((phase, message, s) => request.onPhase!(hub, ref, phase, message, s)),
                    }),
                );
            }
            return results;
        }),
    );
    return request.refs.map((ref, i) => ({ repository: `${request.owner}/${request.repository}`, ref, members: perHub.map((results) => results[i]) }));
}

/** Lines for people: the branch, then one line per member with its outcome and time; a ref as git allows it, escaped. */
export function describeBranchWarmup(warm: BranchWarmup): string {
    const lines = [escapeUnprintable(`warmup ${warm.repository}@${warm.ref}:`)];
    for (const m of warm.members) {
        const waited = m.waitedSeconds > 0 ? `, ${m.waitedSeconds.toFixed(1)} s of it waiting for the rate limit` : "";
        lines.push(escapeUnprintable(`  ${m.hub}: ${m.outcome} after ${m.elapsedSeconds.toFixed(1)} s${waited}`));
        if (m.message !== "") lines.push(`    ${m.message}`);
    }
    return lines.join("\n");
}
