"""Divorces and marriages in the book: between two persons of the register, or with
someone from outside it (a bride comes to live here; a woman goes to her husband's home,
or he comes to live with her).  Pure: no Django.
"""

from __future__ import annotations

from danso.register.generation.book import CommuneBook
from danso.register.generation.hazards import marriage_probability
from danso.register.generation.parameters import NEVER
from danso.register.vocabulary import EventType, MaritalStatus, Relation, Sex


class Couples:
    """A year's divorces and marriages; each marriage is also kept in ``book.marriages``
    for the premarital checks."""

    def __init__(self, book: CommuneBook) -> None:
        self.book = book
        self.rng = book.rng

    def divorces(self, first: int, last: int) -> None:
        """Divorces of ``first``..``last``; the partner who does not head the household
        often leaves it, or the commune."""
        rng = self.rng
        for index, person in enumerate(self.book.persons):
            if person.sex != Sex.FEMALE or person.spouse is None or not person.here:
                continue
            if rng.random() >= 0.0032:
                continue
            husband = self.book.persons[person.spouse]
            if not husband.here:
                continue
            day = self.book.day_after(max(person.busy, husband.busy), first, last)
            if day is None:
                continue
            spouse = person.spouse
            for one, other in ((index, spouse), (spouse, index)):
                self.book.record(EventType.DIVORCE, day, one, spouse=other)
                self.book.end_marriage(one, day, MaritalStatus.DIVORCED)
                self.book.persons[one].busy = day
            # the one who is not the head leaves (the wife when neither is)
            stays_head = person.stays[-1].relation == Relation.HEAD
            leaving = spouse if stays_head else index
            after = day + rng.randint(1, 40)
            if after > last or rng.random() < 0.35:
                continue
            if rng.random() < 0.6:
                self.book.leave(leaving, after, self.book.place()[1])
            else:
                house = self.book.new_household(after)
                self.book.move(leaving, after, house, Relation.HEAD, followers=True)

    def marriages(self, first: int, last: int, mid: int) -> None:
        """Marriages of ``first``..``last`` (chances by ages on ``mid``): some grooms find
        a bride in the register, the others marry outside it."""
        rng = self.rng
        men: list[int] = []
        women: list[int] = []
        for index, person in enumerate(self.book.persons):
            if not person.here or person.marital == MaritalStatus.MARRIED or person.busy > last:
                continue
            age = person.age(mid)
            chance = marriage_probability(age, person.sex, person.marital)
            if rng.random() < chance * self.book.profile.marriage:
                (men if person.sex == Sex.MALE else women).append(index)
        rng.shuffle(women)
        for man in men:
            groom = self.book.persons[man]
            bride: int | None = None
            if women and rng.random() < 0.4:
                age = groom.age(mid)
                for position, candidate in enumerate(women[:30]):
                    if -10 <= self.book.persons[candidate].age(mid) - age <= 3:
                        bride = women.pop(position)
                        break
            if bride is None:
                self._marry_outsider(man, first, last)
            else:
                self._marry_locals(man, bride, first, last)
        for woman in women:
            self._marry_outsider(woman, first, last)

    def _marry_locals(self, man: int, woman: int, first: int, last: int) -> None:
        groom, bride = self.book.persons[man], self.book.persons[woman]
        if groom.household == bride.household:
            return
        day = self.book.day_after(max(groom.busy, bride.busy), first, last)
        if day is None or not groom.present_on(day) or not bride.present_on(day):
            return
        self.book.marry(man, woman, day)
        for one, other in ((man, woman), (woman, man)):
            self.book.record(
                EventType.MARRIAGE, day, one, spouse=other, extra={"consanguineous": False}
            )
            self.book.persons[one].busy = day
        self.book.marriages.append((day, [man, woman]))
        joining = 1 + len(self.book.dependants(woman, day))  # she and her young children
        if self.rng.random() < 0.35 or not self.book.room(groom.household, joining, day):
            # a household of their own
            house = self.book.new_household(day, self.book.households[groom.household].village)
            self.book.move(man, day, house, Relation.HEAD, followers=False)
            self.book.move(woman, day, house, Relation.SPOUSE, followers=True)
        else:
            relation = (
                Relation.SPOUSE if groom.stays[-1].relation == Relation.HEAD else (Relation.OTHER)
            )
            self.book.move(woman, day, groom.household, relation, followers=True)

    def _marry_outsider(self, index: int, first: int, last: int) -> None:
        """A marriage to someone from outside the register: a bride comes to live here; a
        woman goes to her husband's home, or he comes to live with her."""
        rng = self.rng
        person = self.book.persons[index]
        day = self.book.day_after(person.busy, first, last)
        if day is None:
            return
        place = self.book.place()[1]
        age = person.age(day)
        comes = person.sex == Sex.MALE or rng.random() < 0.3
        if comes:
            sex = Sex.FEMALE if person.sex == Sex.MALE else Sex.MALE
            gap = rng.gauss(-2.5 if sex == Sex.FEMALE else 2.5, 2.5)
            partner_age = max(18.2 if sex == Sex.FEMALE else 20.2, age + gap)
            house = person.household
            relation = (
                Relation.SPOUSE if person.stays[-1].relation == Relation.HEAD else (Relation.OTHER)
            )
            if not self.book.room(house, 1, day):  # no room: the couple set up their own household
                house = self.book.new_household(day, self.book.households[house].village)
                self.book.move(index, day, house, Relation.HEAD, followers=True)
                relation = Relation.SPOUSE
            partner = self.book.add_person(
                sex=sex,
                born=self.book.born(day, partner_age),
                household=house,
                relation=relation,
                since=day,
                marital=MaritalStatus.NEVER_MARRIED,
                migrant=True,
            )
            self.book.record(EventType.MOVE_IN, day, partner, extra={"from_place": place})
            self.book.marry(index, partner, day)
            for one, other in ((index, partner), (partner, index)):
                self.book.record(
                    EventType.MARRIAGE, day, one, spouse=other, extra={"consanguineous": False}
                )
            self.book.marriages.append((day, [index, partner]))
        else:
            person.marital = MaritalStatus.MARRIED
            person.married.append([day, NEVER])
            self.book.record(EventType.MARRIAGE, day, index, extra={"consanguineous": False})
            self.book.marriages.append((day, [index]))
            person.busy = day
            self.book.leave(index, min(last, day + rng.randint(0, 25)), place)
        person.busy = max(person.busy, day)
