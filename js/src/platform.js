// Objects the SDK hands to platform APIs (fetch init, headers). WebIDL reads a dictionary member
// through the prototype chain, so an inherited Object.prototype.mode / .integrity / .signal ...
// would change the request: every such object is built without a prototype (DESIGN §6).

/** fetch()'s init, with only the members given (undefined ones left out). */
export function fetchInit(members) {
  const init = Object.create(null);
  for (const k of Object.keys(members)) if (members[k] !== undefined) init[k] = members[k];
  return init;
}
