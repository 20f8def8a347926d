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
    // Line ends to PyYAML (NEL, LS, PS), a C1 control and a bidi override: inside a YAML comment or string
    // they must stay there, not start a `sphinx:` key of their own (issue 20, finding 5).
    { owner: "jane-doe", repository: "my-course", branch: "fix\u2028sphinx", path: "x\u2028sphinx:\u2028  extra_extensions: [evil]\u0085p\u2029q.ipynb" },
    { owner: "jane-doe", repository: "my-course", branch: "main\u0085x\u202e", path: "week\u009b1/intro.ipynb" },
];
