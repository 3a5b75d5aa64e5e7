/** An admin key and the name of whoever holds it: the name is what the audit records as the actor. */
export interface AdminKey {
  name: string;
  key: string;
}
