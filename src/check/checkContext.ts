/**
 * What a check is: a name, whether the registry or the local engine answers it, and how it runs. Every
 * check is one module under checks/, and checks/index.ts lists them all.
 */
import { ImageReference } from "../names/oci";
import { ContainerSet } from "../docker/containers";
import { LocalImage } from "../docker/image";
import { RegistryClient } from "../registry/client";
import { CheckFigures } from "./result";
import { CheckName, CheckOptions, RegistryCredentials } from "./types";

/** The check could not be run for a reason that says nothing about the image (as a DockerError). */
export class CheckNotRunError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CheckNotRunError";
    }
}

/** A check's decision, before the runner adds its timing. */
export interface Verdict {
    ok: boolean;
    detail: string;
    /** What the check measured, for the versioned result; the verdict stands on `ok` alone. */
    figures?: CheckFigures;
}

/** What a run hands every check; each part is made at most once per run, when a check first asks. */
export interface CheckContext {
    ref: ImageReference;
    options: CheckOptions;
    credentials?: RegistryCredentials;
    /** The run's one client for the image's registry: one auth handshake, manifests read once. */
    registry(): RegistryClient;
    /** The image in the local engine (pulled by digest when missing), inspected once. */
    localImage(): Promise<LocalImage>;
    /** What the run started in the engine; all of it is removed when the run ends or is interrupted. */
    containers: ContainerSet;
}

export interface Check {
    name: CheckName;
    /**
     * `registry`: answered from manifests and the image config blob, never a layer; `runtime`: runs the
     * image in the local Docker engine. Registry checks run first.
     */
    kind: "registry" | "runtime";
    run(ctx: CheckContext): Promise<Verdict>;
}
