/**
 * The layer diagram as mermaid, for the README's Layout section: the folders of the program on their floors
 * (read from the `floor-*` rules of .dependency-cruiser.cjs) and which folder imports which (read from
 * dependency-cruiser's JSON on stdin). `npm run layers` prints it.
 */
const fs = require("fs");
const rules = require("../.dependency-cruiser.cjs").forbidden.filter((r) => r.name.startsWith("floor-") && r.name !== "floor-unknown");
const cruise = JSON.parse(fs.readFileSync(0, "utf8"));

/** A module's box: its folder under src/, components/, or a root file. */
const boxOf = (path) => (path.startsWith("src/") ? path.split("/").slice(0, 2).join("/") : path.startsWith("components/") ? "components" : path);
const floorOf = (path) => {
    const i = rules.findIndex((r) => new RegExp(r.from.path).test(path));
    return i < 0 ? rules.length : i;
};
const id = (key) => `n${key.replace(/[^A-Za-z0-9]/g, "_")}`;

// A box is a folder on one floor; a folder with modules on two floors (src/check: its option declarations
// and its runs) is two boxes, the lower one naming its modules.
const inProgram = (path) => /^(src\/|components\/|index[.]ts$|config[.]ts$)/.test(path);
const boxKey = (path) => `${floorOf(path)}|${boxOf(path)}`;
const files = new Map();
const edges = new Set();
for (const m of cruise.modules) {
    if (!inProgram(m.source)) continue;
    const from = boxKey(m.source);
    files.set(from, [
        ...(files.get(from) ?? []),
        m.source
            .split("/")
            .pop()
            .replace(/[.]ts$/, ""),
    ]);
    for (const d of m.dependencies) {
        if (!inProgram(d.resolved)) continue;
        const to = boxKey(d.resolved);
        if (to !== from) edges.add(`${from} --> ${to}`);
    }
}
const folderFloors = new Map();
for (const key of files.keys()) {
    const [floor, folder] = key.split("|");
    folderFloors.set(folder, [...(folderFloors.get(folder) ?? []), Number(floor)]);
}
const label = (key) => {
    const [floor, folder] = key.split("|");
    const floors = folderFloors.get(folder);
    return floors.length > 1 && Number(floor) < Math.max(...floors) ? `${folder}: ${files.get(key).sort().join(", ")}` : folder;
};
const floorName = (i) => (i < rules.length ? rules[i].name.slice("floor-".length).replace(/-/g, " ") : "cli");
const lines = ["flowchart BT"];
for (let i = 0; i <= rules.length; i++) {
    const members = [...files.keys()].filter((k) => Number(k.split("|")[0]) === i).sort();
    if (members.length === 0) continue;
    lines.push(`    subgraph floor${i}["${i}. ${floorName(i)}"]`);
    for (const k of members) lines.push(`        ${id(k)}["${label(k)}"]`);
    lines.push("    end");
}
for (const e of [...edges].sort()) {
    const [from, to] = e.split(" --> ");
    lines.push(`    ${id(from)} --> ${id(to)}`);
}
process.stdout.write(lines.join("\n") + "\n");
