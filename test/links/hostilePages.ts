import { ContentLink } from "../../src/links/binder";

/** Hostile but valid content: what each format must carry through unchanged. */
export const HOSTILE_PAGES: ContentLink["content"][] = [
    { owner: "jane-doe", repository: "my-course", branch: "main", path: "my notebooks/intro 1.ipynb" },
    { owner: "jane-doe", repository: "my-course", branch: "fix/a&b#2", path: "week #1/what?.ipynb" },
    { owner: "jane-doe", repository: "my-course", branch: "main", path: "a&b=c/100%/50%25.ipynb" },
    { owner: "jane-doe", repository: "course.v2_final", branch: "release/2025", path: "données/Über-Ωmega 🌋.ipynb" },
    { owner: "jane-doe", repository: "my-course", branch: "main", path: "notes (old/x).ipynb" },
    { owner: "jane-doe", repository: "my-course", branch: "main", path: "ends_with_" },
    { owner: "jane-doe", repository: "my-course", branch: "main", path: "quote'\"<tag>.ipynb" },
    { owner: "jane-doe", repository: "my-course", branch: "main" },
];
