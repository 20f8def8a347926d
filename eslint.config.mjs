// eslint (flat config): typescript-eslint's recommended type-checked rules and Pulumi's own rule against an
// Output in a template literal (it would render as a warning text, not the value). Run by `npm test`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", "bin-ts/", ".uw3-binder/", "examples/", "engine/"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        files: ["**/*.js", "**/*.mjs"],
        ...tseslint.configs.disableTypeChecked,
        languageOptions: { globals: { require: "readonly", process: "readonly", __dirname: "readonly", console: "readonly" } },
    },
);
