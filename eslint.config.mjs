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
        rules: {
            // Deliberate: untrusted text is escaped by matching its control characters (src/text/printable.ts).
            "no-control-regex": "off",
            // `const { dropped, ...kept } = x` is how a field is left out.
            "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
    {
        // Tests read JSON printed by the CLI and build deliberately malformed configs: those values are untyped by
        // nature, and a wrong shape fails the assertion. Every other type-checked rule applies to tests too.
        files: ["test/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
    {
        files: ["**/*.js", "**/*.cjs", "**/*.mjs"],
        ...tseslint.configs.disableTypeChecked,
        languageOptions: {
            ...tseslint.configs.disableTypeChecked.languageOptions,
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" },
        },
        rules: {
            ...tseslint.configs.disableTypeChecked.rules,
            "@pulumi/no-output-in-template-literal": "off",
            "@pulumi/no-output-instance-in-template-literal": "off",
            "@typescript-eslint/no-require-imports": "off",
        },
    },
);
