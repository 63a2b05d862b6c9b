// The candidates a handwriting keyboard offers for one character: the model's labels best first,
// each with the members of its candidate group (metadata.json's `candidate_groups`: つ with っ,
// ロ with 口), which the model does not tell apart and a person must be offered together.

// How many candidates the row shows (a group is never cut, so it may run a member or two over).
export const CANDIDATES = 10;

/**
 * A candidate: `text`, what tapping it writes; `label`, the model's label it stands for (its
 * group's first; the same as `text` outside a group), and that label's probability.
 * @typedef {{ text: string, label: string, prob: number }} Candidate
 */

/**
 * The row for a reading: `ranked` (every label, most likely first) in order, each label followed
 * by the other members of its group, until `count` candidates (fewer when there are fewer).
 * @param {{ label: string, prob: number }[]} ranked
 * @param {string[][]} groups metadata.json's candidate_groups (each group's first is a label)
 * @param {number} [count]
 * @returns {Candidate[]}
 */
export function candidateRow(ranked, groups, count = CANDIDATES) {
  const members = new Map(groups.map((group) => [group[0], group]));
  const row = [];
  for (const { label, prob } of ranked) {
    if (row.length >= count) break;
    for (const text of members.get(label) ?? [label]) row.push({ text, label, prob });
  }
  return row;
}
